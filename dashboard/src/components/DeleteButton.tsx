import { useState, type ReactNode } from "react";
import { Trash2 } from "lucide-react";
import { Button, Dialog, InlineError } from "./ui";

/**
 * A Delete button that asks first, in a dialog of the page rather than the
 * browser's confirm(): the question says what goes for good, and a refusal
 * from the server shows beside it.
 */
export function DeleteButton({ title, children, busy, error, onConfirm }: { title: string; children: ReactNode; busy: boolean; error?: string; onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={title}>
        <div className="space-y-4">
          <p className="text-sm text-slate-600">{children}</p>
          <InlineError message={error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button variant="danger" disabled={busy} onClick={onConfirm}>
              {busy ? "Deleting…" : "Delete"}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
