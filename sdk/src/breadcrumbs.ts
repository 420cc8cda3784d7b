import type { Breadcrumb } from './types';

/** The last `max` breadcrumbs, in memory, sent only with a crash report. */
export class Breadcrumbs {
  private items: Breadcrumb[] = [];

  constructor(private readonly max: number) {}

  add(b: Breadcrumb): void {
    if (this.max <= 0) return;
    this.items.push({
      type: String(b.type || 'default'),
      message: String(b.message ?? '').slice(0, 2000),
      timestamp: b.timestamp ?? new Date().toISOString(),
      ...(b.data ? { data: b.data } : {}),
    });
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
  }

  list(): Breadcrumb[] {
    return this.items.slice();
  }

  clear(): void {
    this.items = [];
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
