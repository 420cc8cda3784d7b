import { headersToObject, parseHeaderBlock, type Sanitizer } from '../sanitize';
import { iso, type Recorder, type Uninstall } from './types';

interface Failure {
  initiator: 'fetch' | 'xhr';
  method: string;
  url: string;
  status: number;
  statusText: string;
  start: number;
  requestHeaders: Record<string, string>;
  responseHeaders?: Record<string, string>;
  requestBody?: unknown;
  responseBody?: unknown;
  error?: string;
}

function absolute(url: string): string {
  try {
    return new URL(url, location.href).href;
  } catch {
    return url;
  }
}

/**
 * Records failed requests (status ≥ 400 or a network error) made with fetch
 * or XMLHttpRequest, sanitised. Requests for which ignore(url) is true (the
 * SDK's own) are not recorded.
 */
export function captureNetwork(record: Recorder, s: Sanitizer, ignore: (url: string) => boolean): Uninstall {
  const push = (f: Failure) =>
    record('networkFailures', {
      initiator: f.initiator, method: f.method, url: s.url(absolute(f.url)), status: f.status, statusText: f.statusText,
      durationMs: Math.round(performance.now() - f.start), timestamp: iso(),
      requestHeaders: s.headers(f.requestHeaders),
      responseHeaders: s.headers(f.responseHeaders ?? {}),
      ...(f.requestBody != null ? { requestBody: s.body(f.requestBody) } : {}),
      ...(f.responseBody != null ? { responseBody: s.body(f.responseBody) } : {}),
      ...(f.error ? { error: f.error } : {}),
    });

  const undo: Uninstall[] = [];
  if (typeof fetch === 'function') {
    const original = fetch;
    const patched = function (input: RequestInfo | URL, init?: RequestInit) {
      const req = typeof Request !== 'undefined' && input instanceof Request ? input : undefined;
      const url = req ? req.url : String(input instanceof URL ? input.href : input);
      const start = performance.now();
      const call = original.call(globalThis, input, init);
      if (ignore(url)) return call;
      const base = {
        initiator: 'fetch' as const, url, start,
        method: (init?.method ?? req?.method ?? 'GET').toUpperCase(),
        requestHeaders: { ...headersToObject(req?.headers), ...headersToObject(init?.headers) },
        requestBody: init?.body,
      };
      return call.then(
        (res) => {
          if (res.status >= 400) {
            const info = { ...base, status: res.status, statusText: res.statusText, responseHeaders: headersToObject(res.headers) };
            // Streams never end; everything else is read from a copy, so the page still gets its body.
            if (/event-stream/.test(res.headers.get('content-type') ?? '')) push(info);
            else res.clone().text().then((body) => push({ ...info, responseBody: body }), () => push(info));
          }
          return res;
        },
        (err: unknown) => {
          push({ ...base, status: 0, statusText: '', error: String(err) });
          throw err;
        },
      );
    } as typeof fetch;
    globalThis.fetch = patched;
    undo.push(() => { if (globalThis.fetch === patched) globalThis.fetch = original; });
  }

  if (typeof XMLHttpRequest !== 'undefined') {
    const proto = XMLHttpRequest.prototype;
    const { open, send, setRequestHeader } = proto;
    const meta = new WeakMap<XMLHttpRequest, { method: string; url: string; headers: Record<string, string> }>();
    proto.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
      meta.set(this, { method: method.toUpperCase(), url: String(url), headers: {} });
      return (open as (...a: unknown[]) => void).call(this, method, url, ...rest);
    } as typeof proto.open;
    proto.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
      const m = meta.get(this);
      if (m) m.headers[name.toLowerCase()] = value;
      return setRequestHeader.call(this, name, value);
    };
    proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      const m = meta.get(this);
      if (m && !ignore(m.url)) {
        const start = performance.now();
        let aborted = false;
        this.addEventListener('abort', () => { aborted = true; });
        this.addEventListener('loadend', () => {
          if (aborted || (this.status > 0 && this.status < 400)) return;
          const t = this.responseType;
          push({
            initiator: 'xhr', method: m.method, url: this.responseURL || m.url, status: this.status, statusText: this.statusText,
            start, requestHeaders: m.headers, requestBody: body,
            responseHeaders: parseHeaderBlock(this.getAllResponseHeaders()),
            responseBody: t === '' || t === 'text' ? this.responseText : t === 'json' ? this.response : `[${t}]`,
            ...(this.status === 0 ? { error: 'network error' } : {}),
          });
        });
      }
      return send.call(this, body);
    };
    const originals = { open, send, setRequestHeader };
    const patched = { open: proto.open, send: proto.send, setRequestHeader: proto.setRequestHeader };
    undo.push(() => {
      // Unless another library patched them after us: its patches stay.
      for (const k of ['open', 'send', 'setRequestHeader'] as const) if (proto[k] === patched[k]) Object.assign(proto, { [k]: originals[k] });
    });
  }
  return () => undo.forEach((u) => u());
}
