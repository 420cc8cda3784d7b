interface Frame {
  file?: string;
  line?: number;
  column?: number;
  function?: string;
  isNative?: boolean;
}

function isLibrary(f: Frame): boolean {
  return Boolean(f.isNative || f.file?.includes("node_modules") || f.file?.startsWith("tauri:"));
}

/** A crash's frames, the app's own in full and library frames dimmed. */
export function StackTrace({ frames }: { frames: unknown }) {
  if (typeof frames === "string") return <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{frames}</pre>;
  if (!Array.isArray(frames) || frames.length === 0) return <p className="text-sm text-slate-500">No stack trace was sent.</p>;
  return (
    <ol className="divide-y divide-slate-800 overflow-auto rounded bg-slate-900 font-mono text-xs text-slate-100" aria-label="Stack trace">
      {(frames as Frame[]).map((f, i) => (
        <li key={i} className={`px-3 py-1.5 ${isLibrary(f) ? "text-slate-500" : ""}`}>
          <span className="text-indigo-300">{f.function || "<anonymous>"}</span>
          {f.file && (
            <span className="block break-all text-slate-400">
              {f.file}
              {f.line ? `:${f.line}` : ""}
              {f.column ? `:${f.column}` : ""}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
