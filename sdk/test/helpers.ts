import { vi } from 'vitest';

export const SERVER = 'https://oopsie.test';
export const KEY = 'pk_shop-app_0123456789abcdef';

export interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Replaces fetch: the SDK's requests are answered by `server` (201 by
 * default) and kept in `sent`; any other URL answers `page`'s status.
 */
export function fakeNetwork(server: () => Response | Promise<Response> = () => created('rep_1')) {
  const sent: Sent[] = [];
  const pageCalls: string[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.startsWith(SERVER)) {
      sent.push({ url, headers: init?.headers as Record<string, string>, body: JSON.parse(String(init?.body)) });
      return server();
    }
    pageCalls.push(url);
    return new Response('{"error":"boom"}', { status: url.includes('fail') ? 500 : 200, headers: { 'content-type': 'application/json' } });
  });
  globalThis.fetch = fetchFn as typeof fetch;
  return { sent, pageCalls, fetchFn };
}

export const created = (id: string, groupId?: string) =>
  new Response(JSON.stringify({ success: true, data: { id, ...(groupId ? { groupId } : {}) } }), { status: 201 });

export const failure = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ success: false, error: { code: 'X', message } }), { status, headers });

/** The widget's shadow root. */
export function shadow(): ShadowRoot {
  const host = document.querySelector('[data-oopsie]');
  if (!host?.shadowRoot) throw new Error('the widget is not mounted');
  return host.shadowRoot;
}

/** Fills the open form and submits it. */
export async function fillAndSubmit(root: ShadowRoot, message: string, consent = true) {
  const textarea = root.querySelector('textarea')!;
  textarea.value = message;
  (root.querySelector('input[type=checkbox]') as HTMLInputElement).checked = consent;
  root.querySelector('form')!.requestSubmit();
}
