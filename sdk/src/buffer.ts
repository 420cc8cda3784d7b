/** The three documents of a report the buffer feeds. */
export type BufferKind = 'timeline' | 'consoleErrors' | 'networkFailures';

interface Entry {
  kind: BufferKind;
  at: number;
  size: number;
  data: Record<string, unknown>;
}

export interface Snapshot {
  timeline: Record<string, unknown>[];
  consoleErrors: Record<string, unknown>[];
  networkFailures: Record<string, unknown>[];
}

// What the server accepts per document: items, and characters of JSON kept
// well under its byte limits (2 MB, 1 MB, 2 MB) even for non-ASCII text.
const SERVER_LIMITS: Record<BufferKind, [number, number]> = {
  timeline: [1000, 600_000],
  consoleErrors: [200, 300_000],
  networkFailures: [200, 600_000],
};

/**
 * The rolling buffer: events of the last `duration` ms, in memory only,
 * oldest dropped first when the window slides or the memory cap is reached.
 */
export class RollingBuffer {
  private entries: Entry[] = [];
  private head = 0;
  private total = 0;

  constructor(
    private readonly duration: number,
    private readonly maxSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  push(kind: BufferKind, data: Record<string, unknown>): void {
    const size = JSON.stringify(data).length;
    // An event larger than the whole cap would evict everything and then itself.
    if (size > this.maxSize) return;
    this.entries.push({ kind, at: this.now(), size, data });
    this.total += size;
    this.prune();
  }

  /** Everything still in the window, split by document, within the server's limits. */
  snapshot(): Snapshot {
    this.prune();
    const out: Snapshot = { timeline: [], consoleErrors: [], networkFailures: [] };
    const used = { timeline: 0, consoleErrors: 0, networkFailures: 0 };
    // Newest first, so what is cut for the limits is the oldest.
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const e = this.entries[i]!;
      const [maxItems, maxChars] = SERVER_LIMITS[e.kind];
      if (out[e.kind].length >= maxItems || used[e.kind] + e.size > maxChars) continue;
      used[e.kind] += e.size;
      out[e.kind].push(e.data);
    }
    out.timeline.reverse();
    out.consoleErrors.reverse();
    out.networkFailures.reverse();
    return out;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.total = 0;
  }

  /** Characters of JSON held, for the memory cap. */
  get size(): number {
    return this.total;
  }

  get length(): number {
    return this.entries.length - this.head;
  }

  private prune(): void {
    const oldest = this.now() - this.duration;
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.at >= oldest && this.total <= this.maxSize) break;
      this.total -= e.size;
      this.head++;
    }
    // Compact now and then rather than shifting on every drop.
    if (this.head > 512 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
