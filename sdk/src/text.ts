/**
 * Cuts s to at most max bytes of UTF-8: the server bounds crash fields in
 * bytes and refuses the whole crash when one is over.
 */
export function fitBytes(s: string, max: number): string {
  // A UTF-16 code unit is 1 to 3 bytes of UTF-8: most strings need no encoding.
  if (s.length * 3 <= max) return s;
  const encoder = new TextEncoder();
  let out = s.slice(0, max);
  for (let over = encoder.encode(out).length - max; over > 0; over = encoder.encode(out).length - max) {
    out = out.slice(0, out.length - Math.ceil(over / 3));
  }
  return out;
}
