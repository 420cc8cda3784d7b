import type { SanitizeOptions } from './types';

export const REDACTED = '[REDACTED]';

/** Bodies are cut to this many characters, after redaction so JSON still parses. */
export const MAX_BODY_LENGTH = 4096;

// The PRD's defaults, plus the key headers of this very server. Names are
// compared normalised: lower-case, without "-" and "_".
const DEFAULT_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-oopsie-key'];
const DEFAULT_BODY_KEYS = ['password', 'passwd', 'secret', 'token', 'access_token', 'refresh_token', 'creditCard',
  'credit_card', 'ssn', 'social_security', 'api_key', 'cvv', 'cvc'];
const DEFAULT_PARAMS = ['token', 'access_token', 'refresh_token', 'id_token', 'api_key', 'key', 'secret', 'password',
  'auth', 'code', 'session', 'sig', 'signature', 'jwt'];
// A key or parameter containing one of these is secret whatever else it says
// (newPassword, client_secret, csrfToken).
const SECRET_PARTS = ['password', 'passwd', 'secret', 'token', 'apikey'];

const norm = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

export interface Sanitizer {
  headers(h: Record<string, string>): Record<string, string>;
  /** Redacts and truncates a request or response body (or a logged value) of any kind. */
  body(body: unknown): string | undefined;
  url(url: string): string;
}

export function createSanitizer(opts: SanitizeOptions = {}): Sanitizer {
  const headerSet = new Set([...DEFAULT_HEADERS, ...(opts.headers ?? [])].map(norm));
  const keySet = new Set([...DEFAULT_BODY_KEYS, ...(opts.bodyKeys ?? [])].map(norm));
  const paramSet = new Set([...DEFAULT_PARAMS, ...(opts.queryParams ?? []), ...(opts.bodyKeys ?? [])].map(norm));
  const secretish = (n: string) => SECRET_PARTS.some((p) => n.includes(p));
  const isKey = (k: string) => {
    const n = norm(k);
    return keySet.has(n) || secretish(n);
  };
  const isParam = (k: string) => {
    let name = k;
    try { name = decodeURIComponent(k); } catch { /* keep it raw */ }
    const n = norm(name);
    return paramSet.has(n) || secretish(n);
  };

  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = isKey(k) ? REDACTED : walk(x, depth + 1);
    return out;
  };

  const params = (q: string) =>
    q.replace(/(^|[?&#;])([^=&#?;]+)=([^&#;]*)/g, (m, sep: string, name: string, value: string) =>
      value && isParam(name) ? `${sep}${name}=${REDACTED}` : m);

  // For text that is not valid JSON (a truncated body, JSON inside a log
  // line): redact "key": value pairs in place.
  const jsonish = (s: string) =>
    s.replace(/"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,{}[\]\s"]+)/g, (m, k: string, colon: string) =>
      isKey(k) ? `"${k}"${colon}"${REDACTED}"` : m);

  const text = (s: string): string => {
    const t = s.trim();
    if (t[0] === '{' || t[0] === '[') {
      try {
        return JSON.stringify(walk(JSON.parse(t), 0));
      } catch {
        return jsonish(s);
      }
    }
    // key=value&… form bodies
    if (/^[^\s=&]+=[^\s]*(&[^\s=&]+=[^\s]*)*$/.test(t)) return params(t);
    return jsonish(s);
  };

  return {
    headers(h) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) out[k] = headerSet.has(norm(k)) ? REDACTED : v;
      return out;
    },
    body(body) {
      if (body == null || body === '') return undefined;
      let s: string;
      if (typeof body === 'string') s = text(body);
      else if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) s = params(body.toString());
      else if (typeof FormData !== 'undefined' && body instanceof FormData) {
        const o: Record<string, unknown> = {};
        body.forEach((v, k) => { o[k] = typeof v === 'string' ? v : `[file ${(v as File).name}]`; });
        s = JSON.stringify(walk(o, 0));
      } else if (typeof Blob !== 'undefined' && body instanceof Blob) s = `[binary ${body.size} bytes]`;
      else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) s = `[binary ${body.byteLength} bytes]`;
      else if (Array.isArray(body) || Object.getPrototypeOf(body) === Object.prototype) s = safeJSON(walk(body, 0));
      // A stream, a Document, a class instance: named, not walked.
      else if (typeof body === 'object') s = `[${(body as object).constructor?.name ?? 'object'}]`;
      else s = String(body);
      return s.length > MAX_BODY_LENGTH ? `${s.slice(0, MAX_BODY_LENGTH)}…[truncated]` : s;
    },
    url(url) {
      // scheme://user:password@host keeps the user, loses the password.
      const u = url.replace(/^([a-z][\w+.-]*:\/\/[^/?#@:]*):[^/?#@]+@/i, `$1:${REDACTED}@`);
      const i = u.search(/[?#]/);
      return i < 0 ? u : u.slice(0, i) + params(u.slice(i));
    },
  };
}

function safeJSON(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v); // a BigInt
  }
}

/** Headers of fetch's init or a Request, lower-cased, as a plain object. */
export function headersToObject(h: HeadersInit | Headers | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof Headers !== 'undefined' && h instanceof Headers) h.forEach((v, k) => { out[k.toLowerCase()] = v; });
  else if (Array.isArray(h)) for (const [k, v] of h) out[String(k).toLowerCase()] = String(v);
  else for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

/** Parses XMLHttpRequest.getAllResponseHeaders(). */
export function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}
