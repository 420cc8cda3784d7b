const encoder = new TextEncoder();

/** The length of s in bytes of UTF-8. */
export const byteLength = (s: string): number => encoder.encode(s).length;

/** Whether s takes at most max bytes of UTF-8, encoding it only when its length leaves that in doubt. */
export function fitsBytes(s: string, max: number): boolean {
  // A UTF-16 code unit is 1 to 3 bytes of UTF-8: most strings need no encoding.
  if (s.length * 3 <= max) return true;
  if (s.length > max) return false;
  return byteLength(s) <= max;
}

/**
 * Cuts s to at most max bytes of UTF-8: the server bounds crash fields in
 * bytes and refuses the whole crash when one is over.
 */
export function fitBytes(s: string, max: number): string {
  if (fitsBytes(s, max)) return s;
  let out = s.slice(0, max);
  for (let over = byteLength(out) - max; over > 0; over = byteLength(out) - max) {
    out = out.slice(0, out.length - Math.ceil(over / 3));
  }
  return out;
}
