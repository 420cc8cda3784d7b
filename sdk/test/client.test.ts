import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Oopsie from '../src/index';
import { QUEUE_KEY } from '../src/queue';
import { REDACTED } from '../src/sanitize';
import { created, failure, fakeNetwork, fillAndSubmit, KEY, SERVER, shadow } from './helpers';

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, '', '/shop');
});
afterEach(() => {
  Oopsie.destroy();
  document.body.innerHTML = '';
});

const init = (extra: Partial<Parameters<typeof Oopsie.init>[0]> = {}) =>
  Oopsie.init({ serverUrl: `${SERVER}/`, apiKey: KEY, ...extra });

describe('report submission', () => {
  it('sends nothing before the user submits, then the whole buffer, sanitised, with the context', async () => {
    const net = fakeNetwork();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    init({ user: { id: 'u_1', email: 'jane@example.com', plan: 'pro' }, metadata: { appVersion: '2.1.0', environment: 'test' } });
    document.body.insertAdjacentHTML('beforeend', '<button id="pay">Pay</button>');
    history.pushState({}, '', '/shop/cart?session=s3cr3t');
    document.getElementById('pay')!.click();
    console.error(new Error('cart is undefined'));
    await fetch('https://api.shop.test/fail', { headers: { Authorization: 'Bearer top-secret' } });
    await vi.waitFor(() => expect(net.pageCalls).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 10)); // the response body is read after the fact
    expect(net.sent).toEqual([]);

    Oopsie.open();
    const root = shadow();
    expect((root.querySelector('input[type=email]') as HTMLInputElement).value).toBe('jane@example.com');
    await fillAndSubmit(root, '  The cart is empty after paying  ');
    await vi.waitFor(() => expect(net.sent).toHaveLength(1));

    const { url, headers, body } = net.sent[0]!;
    expect(url).toBe(`${SERVER}/api/v1/reports`);
    expect(headers['X-Oopsie-Key']).toBe(KEY);
    expect(body).toMatchObject({
      message: 'The cart is empty after paying', category: 'other', severity: 'medium', reporterEmail: 'jane@example.com',
      pageUrl: `${location.origin}/shop/cart?session=${REDACTED}`, appVersion: '2.1.0', consent: true,
      userContext: { id: 'u_1', email: 'jane@example.com', plan: 'pro' }, customMetadata: { appVersion: '2.1.0', environment: 'test' },
      deviceInfo: expect.objectContaining({ userAgent: navigator.userAgent, language: navigator.language, online: true, timezone: expect.any(String),
        screen: expect.any(Object), viewport: { width: innerWidth, height: innerHeight } }),
    });
    const timeline = body.timeline as Record<string, unknown>[];
    expect(timeline.map((e) => e.type)).toEqual(['navigation', 'navigation', 'click']);
    expect(timeline[1]).toMatchObject({ trigger: 'pushState', to: `${location.origin}/shop/cart?session=${REDACTED}` });
    expect(timeline[2]).toMatchObject({ selector: 'button#pay', text: 'Pay' });
    expect(body.consoleErrors).toEqual([expect.objectContaining({ message: 'Error: cart is undefined', stack: expect.stringContaining('cart is undefined') })]);
    expect(body.networkFailures).toEqual([expect.objectContaining({ url: 'https://api.shop.test/fail', status: 500, requestHeaders: { authorization: REDACTED } })]);
    expect(JSON.stringify(body)).not.toMatch(/top-secret|s3cr3t/);
    await vi.waitFor(() => expect(root.textContent).toContain('Thank you! Your report has been sent.'));

    // Delivered: the buffer starts again empty.
    Oopsie.close();
    Oopsie.open();
    await fillAndSubmit(shadow(), 'again');
    await vi.waitFor(() => expect(net.sent).toHaveLength(2));
    expect(net.sent[1]!.body).toMatchObject({ timeline: [], consoleErrors: [], networkFailures: [] });
  });

  it('freezes the buffer when the form opens', async () => {
    const net = fakeNetwork();
    init();
    Oopsie.open();
    history.pushState({}, '', '/later'); // while the user types
    await fillAndSubmit(shadow(), 'x');
    await vi.waitFor(() => expect(net.sent).toHaveLength(1));
    expect((net.sent[0]!.body.timeline as unknown[]).length).toBe(1);
  });

  it('queues the report in localStorage when the server cannot be reached', async () => {
    const net = fakeNetwork(() => { throw new TypeError('Failed to fetch'); });
    init();
    Oopsie.open();
    await fillAndSubmit(shadow(), 'offline report');
    await vi.waitFor(() => expect(shadow().textContent).toContain('Your report is saved and will be sent automatically.'));
    const queued = JSON.parse(localStorage.getItem(QUEUE_KEY)!);
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0].body)).toMatchObject({ message: 'offline report', consent: true });
    expect(net.sent).toHaveLength(1);
  });

  it('retries the queue as soon as the browser is back online', async () => {
    let online = false;
    const net = fakeNetwork(() => { if (!online) throw new TypeError('Failed to fetch'); return created('rep_2'); });
    init();
    Oopsie.open();
    await fillAndSubmit(shadow(), 'offline report');
    await vi.waitFor(() => expect(localStorage.getItem(QUEUE_KEY)).not.toBeNull());
    online = true;
    dispatchEvent(new Event('online'));
    // Well before the backoff's first retry, 1 s after the failure.
    await vi.waitFor(() => expect(localStorage.getItem(QUEUE_KEY)).toBeNull(), { timeout: 500 });
    expect(net.sent.map((s) => s.body.message)).toEqual(['offline report', 'offline report']);
  });

  it('shows the refusal and queues nothing when the server rejects the report', async () => {
    fakeNetwork(() => failure(400, 'invalid report: message: is required'));
    init();
    Oopsie.open();
    await fillAndSubmit(shadow(), 'x');
    await vi.waitFor(() => expect(shadow().querySelector('[role=status]')!.textContent).toBe('The report could not be sent. invalid report: message: is required'));
    expect(localStorage.getItem(QUEUE_KEY)).toBeNull();
    expect((shadow().querySelector('button[type=submit]') as HTMLButtonElement).disabled).toBe(false);
  });

  it('delivers what an earlier page queued, on init', async () => {
    localStorage.setItem(QUEUE_KEY, JSON.stringify([{ id: 'q1', url: `${SERVER}/api/v1/reports`, apiKey: KEY, body: '{"message":"from before"}', createdAt: Date.now(), attempts: 1, nextAt: 0 }]));
    const net = fakeNetwork();
    init();
    await vi.waitFor(() => expect(net.sent).toHaveLength(1));
    expect(net.sent[0]!.body).toEqual({ message: 'from before' });
    await vi.waitFor(() => expect(localStorage.getItem(QUEUE_KEY)).toBeNull());
  });
});

describe('beforeSend', () => {
  it('can change an event', async () => {
    const net = fakeNetwork();
    const beforeSend = vi.fn((event, hint) => (hint.type === 'report' ? { ...event, message: `[staging] ${event.message}` } : event));
    init({ beforeSend });
    Oopsie.open();
    await fillAndSubmit(shadow(), 'broken');
    await vi.waitFor(() => expect(net.sent).toHaveLength(1));
    expect(net.sent[0]!.body.message).toBe('[staging] broken');
    expect(beforeSend).toHaveBeenCalledWith(expect.objectContaining({ message: 'broken' }), { type: 'report' });
  });

  it('can drop an event, and a beforeSend that throws drops it too', async () => {
    const net = fakeNetwork();
    init({ beforeSend: (event, { type }) => (type === 'crash' ? null : event) });
    expect(await Oopsie.captureException(new Error('ignored'))).toEqual({ status: 'dropped' });
    expect(await Oopsie.feedback.submit({ category: 'bug', message: 'kept' })).toMatchObject({ status: 'sent' });
    init({ beforeSend: () => { throw new Error('bug in the filter'); } });
    expect(await Oopsie.feedback.submit({ category: 'general', message: 'x' })).toEqual({ status: 'dropped' });
    expect(net.sent.map((s) => s.url)).toEqual([`${SERVER}/sdk/shop-app/feedback`]);
  });
});

describe('feedback and crashes', () => {
  it('submits feedback to the project route the key names', async () => {
    const net = fakeNetwork(() => created('fbk_1'));
    init({ appVersion: '1.2.3' });
    expect(await Oopsie.feedback.submit({ category: 'feature', message: 'Dark mode please', email: 'a@b.co' })).toEqual({ status: 'sent', id: 'fbk_1' });
    expect(net.sent[0]).toMatchObject({
      url: `${SERVER}/sdk/shop-app/feedback`,
      body: { category: 'feature', message: 'Dark mode please', email: 'a@b.co', appVersion: '1.2.3', platform: 'web', deviceInfo: expect.any(Object) },
    });
  });

  it('reports crashes with parsed frames, tags, breadcrumbs and the user', async () => {
    const net = fakeNetwork(() => created('crs_1', 'grp_1'));
    init({ appVersion: '1.2.3', collectDeviceInfo: false, maxBreadcrumbs: 2 });
    Oopsie.setUser({ id: 'user-123' });
    history.pushState({}, '', '/settings');
    Oopsie.breadcrumbs.add({ type: 'ui', message: 'opened settings', data: { tab: 'billing' } });
    const error = new RangeError('bad range');
    expect(await Oopsie.crashes.captureException(error, { tags: { operation: 'save' }, appState: { screen: 'settings' } }))
      .toEqual({ status: 'sent', id: 'crs_1', groupId: 'grp_1' });
    await Oopsie.crashes.report({ error: 'a string was thrown', severity: 'fatal' });
    const [first, second] = net.sent;
    expect(first!.url).toBe(`${SERVER}/sdk/shop-app/crashes`);
    expect(first!.body).toMatchObject({
      errorType: 'RangeError', errorMessage: 'bad range', appVersion: '1.2.3', platform: 'web', severity: 'error', userId: 'user-123',
      appState: { screen: 'settings', tags: { operation: 'save' } },
      breadcrumbs: [
        { type: 'navigation', message: `${location.origin}/settings`, timestamp: expect.any(String), data: expect.any(Object) },
        { type: 'ui', message: 'opened settings', timestamp: expect.any(String), data: { tab: 'billing' } },
      ],
    });
    expect(first!.body).not.toHaveProperty('deviceInfo');
    const frames = first!.body.stackTrace as { file: string; line: number; function: string }[];
    expect(frames[0]!.file).toMatch(/client\.test\.ts/);
    expect(frames[0]!.line).toBeGreaterThan(0);
    expect(second!.body).toMatchObject({ errorType: 'Error', errorMessage: 'a string was thrown', stackTrace: [], severity: 'fatal' });
  });

  it('sends uncaught errors as crashes only when enableAutoCrashReporting is on', async () => {
    const net = fakeNetwork(() => created('crs_1'));
    init();
    dispatchEvent(new ErrorEvent('error', { message: 'Uncaught TypeError: x', error: new TypeError('x') }));
    await new Promise((r) => setTimeout(r, 20));
    expect(net.sent).toEqual([]);

    init({ enableAutoCrashReporting: true });
    for (let i = 0; i < 3; i++) dispatchEvent(new ErrorEvent('error', { message: 'Uncaught TypeError: x', error: new TypeError('x') }));
    await vi.waitFor(() => expect(net.sent).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(net.sent).toHaveLength(1); // the same error again is not sent again
    expect(net.sent[0]).toMatchObject({ url: `${SERVER}/sdk/shop-app/crashes`, body: { errorType: 'TypeError', errorMessage: 'x' } });
  });
});

describe('headless mode', () => {
  it('shows no button, and opens and closes the form on demand', () => {
    fakeNetwork();
    init({ widget: { enabled: false } });
    expect(document.querySelector('[data-oopsie]')).toBeNull();
    Oopsie.open();
    expect(shadow().querySelector('.launcher')).toBeNull();
    expect(shadow().querySelector('[role=dialog]')).not.toBeNull();
    Oopsie.close();
    expect(shadow().querySelector('[role=dialog]')).toBeNull();
  });

  it('sends with the fetch it is given, as Tauri apps do with the HTTP plugin', async () => {
    const net = fakeNetwork();
    const pluginFetch = vi.fn(async () => created('fbk_9'));
    init({ fetch: pluginFetch as unknown as typeof fetch });
    expect(await Oopsie.feedback.submit({ category: 'bug', message: 'x' })).toEqual({ status: 'sent', id: 'fbk_9' });
    expect(pluginFetch).toHaveBeenCalledWith(`${SERVER}/sdk/shop-app/feedback`, expect.objectContaining({ method: 'POST' }));
    expect(net.sent).toEqual([]);
  });

  it('refuses to start without a server or a key', () => {
    expect(() => Oopsie.init({ serverUrl: '', apiKey: KEY })).toThrow(/serverUrl and apiKey/);
  });
});
