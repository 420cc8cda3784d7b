/** What one attempt to deliver came to. */
export type Delivery =
  | { ok: true; id: string; groupId?: string }
  | { ok: false; retry: boolean; status: number; retryAfterMs?: number; message: string; fields?: Record<string, string> };

export interface Submission {
  url: string;
  apiKey: string;
  body: string;
}

// keepalive lets a send finish after the page is closed, but browsers refuse
// it for bodies above 64 KB.
const KEEPALIVE_MAX = 60_000;

function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (!Number.isNaN(s)) return s * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * POSTs one JSON body. A network error, 408, 429 and 5xx are worth retrying;
 * any other 4xx means the server will refuse it again.
 */
export async function deliver(fetchFn: typeof fetch, req: Submission): Promise<Delivery> {
  let res: Response;
  try {
    res = await fetchFn(req.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Oopsie-Key': req.apiKey },
      body: req.body,
      credentials: 'omit',
      keepalive: req.body.length < KEEPALIVE_MAX,
    });
  } catch (e) {
    return { ok: false, retry: true, status: 0, message: String(e) };
  }
  let json: { data?: { id?: string; groupId?: string }; error?: { message?: string; fields?: Record<string, string> } } = {};
  try { json = await res.json(); } catch { /* a proxy's HTML error page */ }
  if (res.ok) return { ok: true, id: json.data?.id ?? '', ...(json.data?.groupId ? { groupId: json.data.groupId } : {}) };
  const s = res.status;
  return {
    ok: false, retry: s === 408 || s === 429 || s >= 500, status: s,
    retryAfterMs: retryAfter(res.headers.get('Retry-After')),
    message: json.error?.message ?? `HTTP ${s}`,
    ...(json.error?.fields ? { fields: json.error.fields } : {}),
  };
}
