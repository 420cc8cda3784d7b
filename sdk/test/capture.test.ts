import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BufferKind } from '../src/buffer';
import { captureClicks } from '../src/capture/clicks';
import { captureConsole } from '../src/capture/console';
import { captureNavigation } from '../src/capture/navigation';
import { captureNetwork } from '../src/capture/network';
import type { Uninstall } from '../src/capture/types';
import { createSanitizer, REDACTED } from '../src/sanitize';

const s = createSanitizer();
let events: [BufferKind, Record<string, unknown>][] = [];
const record = (kind: BufferKind, data: Record<string, unknown>) => { events.push([kind, data]); };
let undo: Uninstall | undefined;

afterEach(() => {
  undo?.();
  undo = undefined;
  events = [];
  document.body.innerHTML = '';
});

describe('navigation capture', () => {
  it('records the load and pushState, replaceState, popstate and hashchange, with secrets redacted', () => {
    history.replaceState(null, '', '/start');
    undo = captureNavigation(record, s);
    history.pushState({}, '', '/orders/42?token=abc');
    history.replaceState({}, '', '/orders/42?tab=items');
    history.replaceState({ same: 'url' }, '', '/orders/42?tab=items'); // state only: not a navigation
    history.pushState({}, '', '/settings');
    dispatchEvent(new PopStateEvent('popstate')); // the URL did not change: nothing
    history.pushState({}, '', '/settings#billing');
    dispatchEvent(new HashChangeEvent('hashchange'));
    const nav = events.map(([k, e]) => [k, e.trigger, e.from && new URL(e.from as string).pathname + new URL(e.from as string).search, e.to]);
    const origin = location.origin;
    expect(nav).toEqual([
      ['timeline', 'load', undefined, `${origin}/start`],
      ['timeline', 'pushState', '/start', `${origin}/orders/42?token=${REDACTED}`],
      ['timeline', 'replaceState', `/orders/42?token=${REDACTED}`, `${origin}/orders/42?tab=items`],
      ['timeline', 'pushState', '/orders/42?tab=items', `${origin}/settings`],
      ['timeline', 'pushState', '/settings', `${origin}/settings#billing`],
    ]);
    for (const [, e] of events) expect(e).toMatchObject({ type: 'navigation', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('records going back (popstate) and a fragment link (hashchange)', async () => {
    history.replaceState(null, '', '/a');
    undo = captureNavigation(record, s);
    history.pushState({}, '', '/b');
    history.back();
    await vi.waitFor(() => expect(events).toHaveLength(3));
    location.hash = 'faq';
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events.slice(2).map(([, e]) => [e.trigger, e.to])).toEqual([
      ['popstate', `${location.origin}/a`],
      ['hashchange', `${location.origin}/a#faq`],
    ]);
  });

  it('restores history when uninstalled, but not over a later patch', () => {
    const push = history.pushState;
    const replace = history.replaceState;
    const u = captureNavigation(record, s);
    expect(history.pushState).not.toBe(push);
    const router = function (this: History, ...a: Parameters<History['replaceState']>) { return replace.apply(this, a); };
    history.replaceState = router;
    u();
    expect(history.pushState).toBe(push);
    expect(history.replaceState).toBe(router);
    history.replaceState = replace;
  });
});

describe('click capture', () => {
  it('records the selector, the text of a control and page coordinates', () => {
    document.body.innerHTML = '<main><section class="cart checkout"><div><button data-action="pay">Pay <b>now</b></button></div></section><div id="widget"></div></main>';
    const widget = document.getElementById('widget')!;
    undo = captureClicks(record, () => widget);
    const bold = document.querySelector('b')!;
    bold.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 10, clientY: 20 }));
    expect(events).toEqual([['timeline', {
      type: 'click', timestamp: expect.any(String), selector: 'main > section.cart.checkout > div > button > b',
      text: 'Pay now', x: expect.any(Number), y: expect.any(Number),
    }]]);
    widget.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(events).toHaveLength(1);
  });

  it('stops at an id and does not keep the text of arbitrary elements', () => {
    document.body.innerHTML = '<div id="app"><ul><li>jane@example.com</li><li class="row">x</li></ul></div>';
    undo = captureClicks(record, () => null);
    document.querySelector('li')!.click();
    expect(events[0]![1]).toMatchObject({ selector: 'div#app > ul > li:nth-of-type(1)' });
    expect(events[0]![1]).not.toHaveProperty('text');
  });
});

describe('console capture', () => {
  it('records console.error with the stack of its Error, or of the call site', () => {
    const original = vi.fn();
    console.error = original;
    undo = captureConsole(record, s);
    const err = new TypeError('x is undefined');
    console.error('Failed to load', err, { id: 7 });
    console.error('plain message');
    expect(original).toHaveBeenCalledTimes(2);
    expect(events[0]).toEqual(['consoleErrors', {
      level: 'error', kind: 'console', message: 'Failed to load TypeError: x is undefined {"id":7}', timestamp: expect.any(String), stack: err.stack,
    }]);
    expect(events[1]![1].stack).toMatch(/capture\.test\.ts/);
  });

  it('restores console.error when uninstalled, but not over a later patch', () => {
    const page = vi.fn();
    console.error = page;
    const u = captureConsole(record, s);
    const later = vi.fn();
    console.error = later;
    u();
    expect(console.error).toBe(later);
    console.error = page;
    captureConsole(record, s)();
    expect(console.error).toBe(page);
  });

  it('redacts logged objects like bodies', () => {
    console.error = vi.fn();
    undo = captureConsole(record, s);
    console.error('login failed', { user: 'jane', password: 'hunter2' }, null, 42);
    expect(events[0]![1].message).toBe(`login failed {"user":"jane","password":"${REDACTED}"} null 42`);
  });

  it('does not take a cross-origin "Script error." for a crash', () => {
    const uncaught = vi.fn();
    undo = captureConsole(record, s, uncaught);
    dispatchEvent(new ErrorEvent('error', { message: 'Script error.' }));
    expect(events[0]![1]).toMatchObject({ kind: 'uncaught', message: 'Script error.' });
    expect(uncaught).not.toHaveBeenCalled();
  });

  it('records uncaught errors and unhandled rejections and hands them to the crash reporter', () => {
    const uncaught = vi.fn();
    undo = captureConsole(record, s, uncaught);
    const err = new Error('kaput');
    dispatchEvent(new ErrorEvent('error', { message: 'Uncaught Error: kaput', error: err, filename: 'https://app.test/a.js?token=t', lineno: 3, colno: 9 }));
    const rejected = new Error('nope');
    const ev = new Event('unhandledrejection') as PromiseRejectionEvent;
    Object.assign(ev, { reason: rejected });
    dispatchEvent(ev);
    expect(events.map(([, e]) => e)).toEqual([
      { level: 'error', kind: 'uncaught', message: 'Uncaught Error: kaput', stack: err.stack, source: `https://app.test/a.js?token=${REDACTED}`, line: 3, column: 9, timestamp: expect.any(String) },
      { level: 'error', kind: 'unhandledrejection', message: 'Unhandled rejection: Error: nope', stack: rejected.stack, timestamp: expect.any(String) },
    ]);
    expect(uncaught.mock.calls).toEqual([[err], [rejected]]);
  });
});

describe('network capture', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.setHeader('Access-Control-Expose-Headers', '*');
      if (req.method === 'OPTIONS') return res.end();
      const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Set-Cookie': 'sid=secret' });
      res.end(JSON.stringify({ error: 'nope', refresh_token: 'leak' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records failed fetches with sanitised headers and bodies, and lets successes and its own requests pass', async () => {
    const fake = vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      if (url.includes('offline')) throw new TypeError('Failed to fetch');
      const status = url.includes('fail') ? 500 : 200;
      return new Response(JSON.stringify({ error: 'db', password: 'p' }), { status, statusText: status === 500 ? 'Internal Server Error' : 'OK', headers: { 'content-type': 'application/json', 'set-cookie': 'a=b' } });
    });
    globalThis.fetch = fake as typeof fetch;
    undo = captureNetwork(record, s, (url) => url.startsWith('https://oopsie.test/'));
    await fetch('https://api.test/ok');
    const res = await fetch('https://api.test/fail?api_key=k', {
      method: 'post', headers: { Authorization: 'Bearer secret', 'X-Trace': '1' }, body: JSON.stringify({ user: 'jane', password: 'hunter2' }),
    });
    expect(await res.json()).toEqual({ error: 'db', password: 'p' }); // the page still reads its body
    await expect(fetch('https://api.test/offline')).rejects.toThrow('Failed to fetch');
    const own = await fetch('https://oopsie.test/api/v1/reports?fail');
    await vi.waitFor(() => expect(events).toHaveLength(2));
    // Let the own request settle fully: its body read and a macrotask passed, so a
    // record of it, were it not ignored, would be in by now.
    await own.text();
    await new Promise((r) => setTimeout(r, 0));
    expect(events.filter(([, e]) => String(e.url).startsWith('https://oopsie.test/'))).toEqual([]);
    expect(events).toHaveLength(2);
    expect(fake).toHaveBeenCalledTimes(4);
    expect(events[0]).toEqual(['networkFailures', {
      initiator: 'fetch', method: 'POST', url: `https://api.test/fail?api_key=${REDACTED}`, status: 500, statusText: 'Internal Server Error',
      durationMs: expect.any(Number), timestamp: expect.any(String),
      requestHeaders: { authorization: REDACTED, 'x-trace': '1' },
      responseHeaders: expect.objectContaining({ 'content-type': 'application/json' }),
      requestBody: `{"user":"jane","password":"${REDACTED}"}`,
      responseBody: `{"error":"db","password":"${REDACTED}"}`,
    }]);
    expect(events[1]![1]).toMatchObject({ method: 'GET', url: 'https://api.test/offline', status: 0, error: 'TypeError: Failed to fetch' });
  });

  it('records failed XMLHttpRequests, not successful or aborted ones', async () => {
    undo = captureNetwork(record, s, () => false);
    const xhr = (status: number, abort = false) => new Promise<void>((resolve) => {
      const x = new XMLHttpRequest();
      x.open('PUT', `${base}/items?status=${status}&token=t`);
      x.setRequestHeader('Authorization', 'Bearer secret');
      x.addEventListener('loadend', () => resolve());
      x.send('password=hunter2&name=jane');
      if (abort) x.abort();
    });
    await xhr(200);
    await xhr(404);
    await xhr(500, true);
    expect(events).toHaveLength(1);
    expect(events[0]![1]).toMatchObject({
      initiator: 'xhr', method: 'PUT', url: `${base}/items?status=404&token=${REDACTED}`, status: 404,
      requestHeaders: { authorization: REDACTED }, requestBody: `password=${REDACTED}&name=jane`,
      responseBody: `{"error":"nope","refresh_token":"${REDACTED}"}`,
    });
  });
});
