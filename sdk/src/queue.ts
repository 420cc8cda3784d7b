import type { Delivery, Submission } from './transport';

export const QUEUE_KEY = 'oopsie:queue';
export const MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const MAX_BACKOFF_MS = 5 * 60 * 1000;
// How long a tab may hold an item while sending it before another may try.
const LEASE_MS = 30_000;

export interface QueueItem extends Submission {
  id: string;
  createdAt: number;
  attempts: number;
  nextAt: number;
  leaseUntil?: number;
  leaseOwner?: string;
}

/** 1 s after the first failure, then 2 s, 4 s, … up to 5 minutes. */
export const backoff = (attempts: number) => Math.min(1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);

export interface QueueOptions {
  send: (req: Submission) => Promise<Delivery>;
  storage?: Storage | null;
  now?: () => number;
}

const newId = () => Math.random().toString(36).slice(2) + Date.now().toString(36);

/**
 * Submissions that failed for a reason worth retrying, kept in localStorage
 * so that they outlive the page. Each is sent again with exponential backoff
 * (or the server's Retry-After), dropped after 24 h or on a refusal that
 * will not change, and removed the moment it is delivered. One flush runs at
 * a time per page, and across tabs one holds the Web Lock (or, without Web
 * Locks, a lease written on the item), so no item is sent twice at once.
 */
export class OfflineQueue {
  private readonly storage: Storage | null;
  private readonly now: () => number;
  private readonly owner = newId();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: QueueOptions) {
    this.now = opts.now ?? Date.now;
    this.storage = opts.storage !== undefined ? opts.storage : safeLocalStorage();
  }

  /** Keeps req for a retry; false when it cannot be stored. */
  add(req: Submission, attempts = 1, retryAfterMs = 0): boolean {
    const now = this.now();
    const item: QueueItem = { ...req, id: newId(), createdAt: now, attempts, nextAt: now + Math.max(backoff(attempts), retryAfterMs) };
    const ok = this.write([...this.read(), item]);
    this.schedule();
    return ok;
  }

  items(): QueueItem[] {
    return this.read();
  }

  /** Sends every item that is due. Concurrent calls share one run. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.running) {
      this.running = this.exclusive(() => this.run()).finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }
    return this.running;
  }

  /** Makes every item due and flushes: the connection is back, or the app asks. */
  retryNow(): Promise<void> {
    const now = this.now();
    const items = this.read();
    if (items.some((i) => i.nextAt > now)) this.write(items.map((i) => ({ ...i, nextAt: Math.min(i.nextAt, now) })));
    return this.flush();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return fn();
    // Another tab flushing now will also send what is due here.
    return locks.request(QUEUE_KEY, { ifAvailable: true }, (lock) => (lock ? fn() : undefined)) as Promise<void>;
  }

  private async run(): Promise<void> {
    for (;;) {
      const now = this.now();
      const due = this.read().find((i) => i.nextAt <= now && !(i.leaseUntil && i.leaseUntil > now && i.leaseOwner !== this.owner));
      if (!due || this.stopped) return;
      // Claim it, then read back: if another tab claimed it in between, it is theirs.
      if (!this.update(due.id, (i) => ({ ...i, leaseUntil: now + LEASE_MS, leaseOwner: this.owner }))) continue;
      if (this.read().find((i) => i.id === due.id)?.leaseOwner !== this.owner) continue;
      const res = due.createdAt + MAX_AGE_MS < now ? undefined : await this.opts.send(due);
      if (!res || res.ok || !res.retry) {
        this.update(due.id, () => undefined);
        continue;
      }
      const attempts = due.attempts + 1;
      const at = this.now();
      const nextAt = at + Math.max(backoff(attempts), res.retryAfterMs ?? 0);
      if (nextAt > due.createdAt + MAX_AGE_MS) this.update(due.id, () => undefined);
      else this.update(due.id, (i) => ({ ...i, attempts, nextAt, leaseUntil: undefined, leaseOwner: undefined }));
      // A failure now will be a failure for the rest: wait for the next turn.
      return;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const items = this.read();
    if (!items.length) return;
    const next = Math.min(...items.map((i) => Math.max(i.nextAt, i.leaseUntil ?? 0)));
    this.timer = setTimeout(() => void this.flush(), Math.max(0, next - this.now()));
  }

  private update(id: string, fn: (i: QueueItem) => QueueItem | undefined): boolean {
    const items = this.read();
    const i = items.findIndex((x) => x.id === id);
    if (i < 0) return false;
    const next = fn(items[i]!);
    if (next) items[i] = next;
    else items.splice(i, 1);
    return this.write(items);
  }

  private read(): QueueItem[] {
    try {
      const v: unknown = JSON.parse(this.storage?.getItem(QUEUE_KEY) ?? '[]');
      return Array.isArray(v) ? (v as QueueItem[]) : [];
    } catch {
      return [];
    }
  }

  private write(items: QueueItem[]): boolean {
    if (!this.storage) return false;
    try {
      if (items.length) this.storage.setItem(QUEUE_KEY, JSON.stringify(items));
      else this.storage.removeItem(QUEUE_KEY);
      return true;
    } catch {
      return false; // quota exceeded
    }
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null; // blocked by privacy settings
  }
}
