import { useEffect, useState } from "react";
import { Download, Eye, Paperclip } from "lucide-react";
import { session } from "../lib/client";
import { formatBytes } from "../lib/format";
import { Button, InlineError } from "./ui";

interface AttachmentItem {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
}

// Attachment downloads need the session's token, so they are fetched here and
// handed to the browser as blob: URLs rather than plain links.
async function fetchAttachment(id: string): Promise<Blob> {
  const token = await session.accessToken();
  const res = await fetch(`/api/v1/attachments/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(res.status === 404 ? "This attachment is gone (retention may have removed it)." : `Download failed (${res.status}).`);
  return res.blob();
}

function Preview({ attachment }: { attachment: AttachmentItem }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let objectURL: string | null = null;
    fetchAttachment(attachment.id).then(
      (blob) => {
        objectURL = URL.createObjectURL(new Blob([blob], { type: attachment.mimeType }));
        setUrl(objectURL);
      },
      (err: Error) => setError(err.message),
    );
    return () => {
      if (objectURL) URL.revokeObjectURL(objectURL);
    };
  }, [attachment.id, attachment.mimeType]);
  if (error) return <InlineError message={error} />;
  if (!url) return <p className="text-xs text-slate-500">Loading preview…</p>;
  return <img src={url} alt={attachment.filename} className="max-h-96 rounded border border-slate-200" />;
}

export function Attachments({ items }: { items: AttachmentItem[] }) {
  const [previewing, setPreviewing] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string>();
  if (items.length === 0) return <p className="text-sm text-slate-500">No attachments.</p>;

  async function download(a: AttachmentItem) {
    setError(undefined);
    try {
      const url = URL.createObjectURL(await fetchAttachment(a.id));
      const link = document.createElement("a");
      link.href = url;
      link.download = a.filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="space-y-3">
      <InlineError message={error} />
      <ul className="divide-y divide-slate-100">
        {items.map((a) => (
          <li key={a.id} className="py-2">
            <div className="flex flex-wrap items-center gap-2">
              <Paperclip className="size-4 text-slate-400" aria-hidden />
              <span className="min-w-0 flex-1 truncate text-sm font-medium">{a.filename}</span>
              <span className="text-xs text-slate-500">{formatBytes(a.size)}</span>
              {a.mimeType.startsWith("image/") && (
                <Button variant="ghost" size="sm" aria-pressed={previewing.has(a.id)} onClick={() => setPreviewing((p) => new Set(p.has(a.id) ? [...p].filter((x) => x !== a.id) : [...p, a.id]))}>
                  <Eye className="size-4" aria-hidden /> View
                </Button>
              )}
              <Button variant="ghost" size="sm" onClick={() => download(a)}>
                <Download className="size-4" aria-hidden /> Download
              </Button>
            </div>
            {previewing.has(a.id) && (
              <div className="mt-2">
                <Preview attachment={a} />
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
