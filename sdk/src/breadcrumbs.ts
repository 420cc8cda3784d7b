import { fitBytes, fitsBytes } from './text';
import type { Breadcrumb } from './types';

// The server's limits, in bytes; data over its limit is left out rather than
// have the whole crash refused.
const MAX_TYPE = 100;
const MAX_MESSAGE = 2000;
const MAX_DATA = 10_000;

/** The last `max` breadcrumbs, in memory, sent only with a crash report. */
export class Breadcrumbs {
  private items: Breadcrumb[] = [];

  constructor(private readonly max: number) {}

  add(b: Breadcrumb): void {
    if (this.max <= 0) return;
    let data = b.data;
    try {
      // JSON.stringify gives undefined for some values (a toJSON returning undefined): that encodes as nothing.
      if (data && !fitsBytes(JSON.stringify(data) ?? '', MAX_DATA)) data = undefined;
    } catch {
      data = undefined; // cyclic
    }
    this.items.push({
      type: fitBytes(String(b.type || 'default'), MAX_TYPE),
      message: fitBytes(String(b.message ?? ''), MAX_MESSAGE),
      timestamp: b.timestamp ?? new Date().toISOString(),
      ...(data ? { data } : {}),
    });
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
  }

  list(): Breadcrumb[] {
    return this.items.slice();
  }
}

/** A breadcrumb summing up something the buffer recorded. */
export function crumbOf(kind: string, d: Record<string, unknown>): Breadcrumb {
  const timestamp = d.timestamp as string;
  if (kind === 'consoleErrors') return { type: 'console', message: String(d.message), timestamp };
  if (kind === 'networkFailures') return { type: 'http', message: `${d.method} ${d.url} → ${d.status}`, timestamp };
  if (d.type === 'click') return { type: 'click', message: String(d.selector), timestamp };
  return { type: 'navigation', message: String(d.to), timestamp, data: { from: d.from, to: d.to } };
}
