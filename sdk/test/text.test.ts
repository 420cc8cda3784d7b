import { describe, expect, it } from 'vitest';
import { Breadcrumbs } from '../src/breadcrumbs';
import { byteLength, fitBytes, fitsBytes } from '../src/text';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('fitBytes', () => {
  it('keeps what fits and cuts the rest to the byte limit, in ASCII and beyond', () => {
    expect(fitBytes('short', 10)).toBe('short');
    expect(fitBytes('a'.repeat(50), 20)).toBe('a'.repeat(20));
    const cut = fitBytes('é'.repeat(3000), 2000); // 2 bytes each
    expect(bytes(cut)).toBeLessThanOrEqual(2000);
    expect(bytes(cut)).toBeGreaterThan(1900);
    expect(bytes(fitBytes('🐛'.repeat(1000), 1000))).toBeLessThanOrEqual(1000);
  });
});

describe('byteLength and fitsBytes', () => {
  it('count UTF-8 bytes, also where the length alone does not decide', () => {
    expect(byteLength('')).toBe(0);
    expect(byteLength('aé🐛')).toBe(1 + 2 + 4);
    expect(fitsBytes('a'.repeat(3), 10)).toBe(true); // short enough whatever it holds
    expect(fitsBytes('a'.repeat(11), 10)).toBe(false); // longer than the limit
    expect(fitsBytes('a'.repeat(10), 10)).toBe(true); // in between: encoded
    expect(fitsBytes('é'.repeat(5), 10)).toBe(true);
    expect(fitsBytes('é'.repeat(6), 10)).toBe(false);
    expect(fitBytes('é'.repeat(6), 10)).toBe('é'.repeat(5));
  });
});

describe('Breadcrumbs', () => {
  it('keeps the last ones within the server limits', () => {
    const b = new Breadcrumbs(2);
    b.add({ type: 'a', message: '1' });
    b.add({ type: 'b', message: 'ü'.repeat(5000), data: { big: 'x'.repeat(20_000) } });
    b.add({ type: 'c', message: '3', data: { ok: true }, timestamp: '2026-01-01T00:00:00.000Z' });
    const [first, last] = b.list();
    expect(first!.type).toBe('b');
    expect(bytes(first!.message)).toBeLessThanOrEqual(2000);
    expect(first).not.toHaveProperty('data');
    expect(last).toEqual({ type: 'c', message: '3', data: { ok: true }, timestamp: '2026-01-01T00:00:00.000Z' });
  });
});
