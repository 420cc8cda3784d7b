import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, MAX_AGE_MS, OfflineQueue, QUEUE_KEY } from '../src/queue';
import type { Delivery, Submission } from '../src/transport';

const req = (n = 1): Submission => ({ url: 'https://oopsie.test/api/v1/reports', apiKey: 'pk_app_0123456789abcdef', body: `{"n":${n}}` });
const down: Delivery = { ok: false, retry: true, status: 0, message: 'offline' };
const sent: Delivery = { ok: true, id: 'rep_1' };

describe('OfflineQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    localStorage.clear();
  });
  afterEach(() => vi.useRealTimers());

  it('backs off 1 s, 2 s, 4 s … up to 5 minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 30].map(backoff)).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  });

  it('retries on the backoff schedule and delivers once the server is back', async () => {
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(down);
    const q = new OfflineQueue({ send });
    q.add(req());
    await vi.advanceTimersByTimeAsync(999);
    expect(send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1); // 1 s after the first failure
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // then 2 s
    expect(send).toHaveBeenCalledTimes(2);
    expect(q.items()[0]!.attempts).toBe(3);
    send.mockResolvedValue(sent);
    await vi.advanceTimersByTimeAsync(4000); // then 4 s: delivered
    expect(send).toHaveBeenCalledTimes(3);
    expect(q.items()).toEqual([]);
    expect(localStorage.getItem(QUEUE_KEY)).toBeNull();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(send).toHaveBeenCalledTimes(3);
    q.stop();
  });

  it('waits as long as Retry-After asks when rate limited', async () => {
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue({ ok: false, retry: true, status: 429, retryAfterMs: 30_000, message: 'slow down' });
    const q = new OfflineQueue({ send });
    q.add(req());
    await vi.advanceTimersByTimeAsync(1000);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(send).toHaveBeenCalledTimes(2);
    q.stop();
  });

  it('does not retry a refusal other than 429', async () => {
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue({ ok: false, retry: false, status: 400, message: 'bad' });
    const q = new OfflineQueue({ send });
    q.add(req());
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(send).toHaveBeenCalledTimes(1);
    expect(q.items()).toEqual([]);
  });

  it('drops a report after 24 hours of failures', async () => {
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(down);
    const q = new OfflineQueue({ send });
    q.add(req());
    await vi.advanceTimersByTimeAsync(MAX_AGE_MS - 6 * 60_000);
    const calls = send.mock.calls.length;
    expect(calls).toBeGreaterThan(280); // every 5 minutes for most of a day
    expect(q.items()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(q.items()).toEqual([]);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(send.mock.calls.length).toBeLessThanOrEqual(calls + 1);
  });

  it('drops an expired report found on load without sending it', async () => {
    localStorage.setItem(QUEUE_KEY, JSON.stringify([{ ...req(), id: 'old', createdAt: Date.now() - MAX_AGE_MS - 1, attempts: 3, nextAt: 0 }]));
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(sent);
    await new OfflineQueue({ send }).flush();
    expect(send).not.toHaveBeenCalled();
    expect(localStorage.getItem(QUEUE_KEY)).toBeNull();
  });

  it('resumes on the next page load', async () => {
    const first = new OfflineQueue({ send: async () => down });
    first.add(req(7));
    first.stop(); // the page is closed
    await vi.advanceTimersByTimeAsync(5000);
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(sent);
    const second = new OfflineQueue({ send });
    await second.flush();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0]).toMatchObject(req(7));
    expect(second.items()).toEqual([]);
  });

  it('never sends a report twice, from concurrent flushes or from two tabs', async () => {
    let release!: () => void;
    const send = vi.fn<(r: Submission) => Promise<Delivery>>(() => new Promise((r) => { release = () => r(sent); }));
    const tab1 = new OfflineQueue({ send });
    const tab2 = new OfflineQueue({ send });
    tab1.add(req());
    await vi.advanceTimersByTimeAsync(1000); // tab1's timer fires and starts sending
    const flushes = [tab1.flush(), tab1.flush(), tab2.flush(), tab2.flush()];
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(1);
    release();
    await Promise.all(flushes);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(send).toHaveBeenCalledTimes(1);
    expect(tab1.items()).toEqual([]);
    tab1.stop();
    tab2.stop();
  });

  it('sends at once, whatever the backoff, when the connection comes back', async () => {
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(down);
    const q = new OfflineQueue({ send });
    q.add(req(), 9); // next try in 256 s
    await q.flush();
    expect(send).not.toHaveBeenCalled();
    send.mockResolvedValue(sent);
    await q.retryNow();
    expect(send).toHaveBeenCalledTimes(1);
    expect(q.items()).toEqual([]);
    q.stop();
  });

  it("retries an item whose tab died while sending it, once that tab's lease is over", async () => {
    localStorage.setItem(QUEUE_KEY, JSON.stringify([{ ...req(), id: 'a', createdAt: Date.now(), attempts: 1, nextAt: 0, leaseUntil: Date.now() + 30_000, leaseOwner: 'gone' }]));
    const send = vi.fn<(r: Submission) => Promise<Delivery>>().mockResolvedValue(sent);
    const q = new OfflineQueue({ send });
    await q.flush();
    expect(send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(send).toHaveBeenCalledTimes(1);
    q.stop();
  });
});
