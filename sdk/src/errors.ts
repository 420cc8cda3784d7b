/** Type, message and stack of anything thrown, Error or not. */
export function describeError(error: unknown): { errorType: string; errorMessage: string; stack?: string } {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message, stack: error.stack };
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { name?: unknown; message: unknown; stack?: unknown };
    return { errorType: typeof e.name === 'string' ? e.name : 'Error', errorMessage: String(e.message), stack: typeof e.stack === 'string' ? e.stack : undefined };
  }
  let msg: string;
  try { msg = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error); } catch { msg = String(error); }
  return { errorType: 'Error', errorMessage: msg };
}
