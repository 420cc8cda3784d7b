// :host resets what the page's CSS could pass down through inheritance;
// nothing else of the page reaches inside the shadow root, nor leaks out.
export const styles = `
:host{all:initial;--accent:#6366f1;--bg:#fff;--fg:#0f172a;--muted:#64748b;--line:#cbd5e1;--err:#e11d48;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
:host([data-theme=dark]){--bg:#0f172a;--fg:#f8fafc;--muted:#94a3b8;--line:#334155;--err:#fb7185}
*{box-sizing:border-box;font:inherit}
.launcher{position:fixed;z-index:2147483646;display:flex;gap:6px;align-items:center;border:0;border-radius:999px;padding:10px 16px;background:var(--accent);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.bottom-right{bottom:20px;right:20px}.bottom-left{bottom:20px;left:20px}.top-right{top:20px;right:20px}.top-left{top:20px;left:20px}
button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.backdrop{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(15,23,42,.5);padding:16px}
.dialog{background:var(--bg);color:var(--fg);width:100%;max-width:440px;max-height:100%;overflow:auto;border-radius:12px;padding:20px;box-shadow:0 20px 50px rgba(0,0,0,.35)}
h2{margin:0 0 12px;font-size:18px;font-weight:600}
label{display:block;margin:10px 0 4px;font-weight:500}
textarea,input[type=email],select{width:100%;padding:8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
textarea{min-height:96px;resize:vertical}
.row{display:flex;gap:12px}.row>div{flex:1}
.consent{display:flex;gap:8px;align-items:flex-start;margin-top:12px}.consent label{margin:0;font-weight:400}
.hint{color:var(--muted);font-size:12px;margin:4px 0 0}
.error{color:var(--err);font-size:13px;margin:4px 0 0}
[aria-invalid=true]{border-color:var(--err)}
.actions{display:flex;justify-content:flex-end;gap:8px;margin-top:16px}
.actions button{border-radius:6px;padding:8px 14px;cursor:pointer;border:1px solid var(--line);background:transparent;color:var(--fg)}
.actions .primary{background:var(--accent);border-color:var(--accent);color:#fff}
.actions button:disabled{opacity:.6;cursor:default}
.status{margin:12px 0 0}
`;

export const bugIcon = '<svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M8 2l1.9 1.9M16 2l-1.9 1.9M9 7.1V6a3 3 0 0 1 6 0v1.1M12 20v-9M6.5 9A4 4 0 0 1 10 7h4a4 4 0 0 1 3.5 2M6 13H2m4-4.5L3 7m3 10.5L3 20m15-7h4m-4-4.5L21 7m-3 10.5L21 20M6 13a6 6 0 0 0 12 0v-2a4 4 0 0 0-4-4h-4a4 4 0 0 0-4 4z"/></svg>';
