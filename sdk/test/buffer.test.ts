import { describe, expect, it } from 'vitest';
import { RollingBuffer } from '../src/buffer';

describe('RollingBuffer', () => {
  it('keeps only the events of the time window', () => {
    let now = 0;
    const b = new RollingBuffer(5 * 60_000, 1_000_000, () => now);
    b.push('timeline', { n: 1 });
    now = 4 * 60_000;
    b.push('timeline', { n: 2 });
    now = 5 * 60_000 + 1; // the first event is now older than 5 minutes
    b.push('consoleErrors', { n: 3 });
    expect(b.snapshot()).toEqual({ timeline: [{ n: 2 }], consoleErrors: [{ n: 3 }], networkFailures: [] });
    now = 20 * 60_000;
    expect(b.snapshot()).toEqual({ timeline: [], consoleErrors: [], networkFailures: [] });
    expect(b.size).toBe(0);
  });

  it('drops the oldest events when the memory cap is reached', () => {
    const one = JSON.stringify({ s: 'x'.repeat(90) }).length;
    const b = new RollingBuffer(60_000, one * 3, () => 0);
    for (let i = 0; i < 5; i++) b.push('timeline', { s: String(i).repeat(90) });
    const kept = b.snapshot().timeline.map((e) => (e.s as string)[0]);
    expect(kept).toEqual(['2', '3', '4']);
    expect(b.size).toBeLessThanOrEqual(one * 3);
  });

  it('refuses an event larger than the whole cap instead of emptying itself', () => {
    const b = new RollingBuffer(60_000, 100, () => 0);
    b.push('timeline', { a: 1 });
    b.push('networkFailures', { body: 'x'.repeat(500) });
    expect(b.snapshot().timeline).toEqual([{ a: 1 }]);
    expect(b.snapshot().networkFailures).toEqual([]);
  });

  it('keeps the newest events within what the server accepts per document', () => {
    const b = new RollingBuffer(60_000, 10_000_000, () => 0);
    for (let i = 0; i < 250; i++) b.push('consoleErrors', { i });
    const errors = b.snapshot().consoleErrors;
    expect(errors).toHaveLength(200);
    expect(errors[0]).toEqual({ i: 50 });
    expect(errors[199]).toEqual({ i: 249 });
  });

  it('keeps capture order and empties on clear', () => {
    let now = 0;
    const b = new RollingBuffer(60_000, 1_000_000, () => now++);
    b.push('timeline', { n: 1 });
    b.push('networkFailures', { n: 2 });
    b.push('timeline', { n: 3 });
    expect(b.snapshot().timeline).toEqual([{ n: 1 }, { n: 3 }]);
    b.clear();
    expect(b.length).toBe(0);
    expect(b.snapshot().timeline).toEqual([]);
  });
});
