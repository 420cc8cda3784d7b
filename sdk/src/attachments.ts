import type { Attachment } from './types';

// The server's limits (internal/attachments).
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 20 * 1024 * 1024;
export const MAX_FILES = 10;

export type FileProblem = { kind: 'tooLarge'; name: string } | { kind: 'totalTooLarge' } | { kind: 'tooMany' };

/** Checks files against the server's limits before anything is read or sent. */
export function checkFiles(files: readonly File[]): FileProblem | undefined {
  if (files.length > MAX_FILES) return { kind: 'tooMany' };
  const big = files.find((f) => f.size > MAX_FILE_BYTES);
  if (big) return { kind: 'tooLarge', name: big.name };
  if (files.reduce((n, f) => n + f.size, 0) > MAX_TOTAL_BYTES) return { kind: 'totalTooLarge' };
  return undefined;
}

function base64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  // In chunks: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export async function encodeFiles(files: readonly File[]): Promise<Attachment[]> {
  return Promise.all(files.map(async (f) => ({
    data: base64(await f.arrayBuffer()),
    filename: f.name || 'attachment',
    mimeType: f.type || 'application/octet-stream',
  })));
}
