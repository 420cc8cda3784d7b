import type { Sanitizer } from '../sanitize';
import { iso, type Recorder, type Uninstall } from './types';

const MAX_MESSAGE = 2000;
const MAX_STACK = 8000;

// Logged objects are redacted like bodies: console.error('login failed', form) is common.
const describe = (v: unknown, s: Sanitizer): string =>
  typeof v === 'string' ? v : v instanceof Error ? `${v.name}: ${v.message}` : s.body(v) ?? String(v);

const cut = (s: string | undefined, n: number) => (s && s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Records console.error calls, uncaught errors and unhandled rejections, with
 * their stacks. onUncaught sees the uncaught ones, for automatic crash reports.
 */
export function captureConsole(record: Recorder, s: Sanitizer, onUncaught?: (error: unknown) => void): Uninstall {
  const push = (kind: string, message: string, stack?: string, source?: string, line?: number, column?: number) =>
    record('consoleErrors', {
      level: 'error', kind, message: cut(message, MAX_MESSAGE), timestamp: iso(),
      ...(stack ? { stack: cut(stack, MAX_STACK) } : {}),
      ...(source ? { source: s.url(source), line: line ?? 0, column: column ?? 0 } : {}),
    });

  const original = console.error;
  const patched = function (this: Console, ...args: unknown[]) {
    original.apply(this, args);
    const err = args.find((a): a is Error => a instanceof Error);
    // Without an Error, the call site's stack says where it was logged from.
    const stack = err?.stack ?? new Error().stack?.split('\n').slice(2).join('\n');
    push('console', args.map((a) => describe(a, s)).join(' '), stack);
  };
  console.error = patched;

  const onError = (ev: ErrorEvent) => {
    const err = ev.error as unknown;
    push('uncaught', ev.message || describe(err, s), err instanceof Error ? err.stack : undefined, ev.filename, ev.lineno, ev.colno);
    // A cross-origin script's error is only "Script error.": nothing to report a crash about.
    if (err != null) onUncaught?.(err);
  };
  const onRejection = (ev: PromiseRejectionEvent) => {
    const r = ev.reason as unknown;
    push('unhandledrejection', `Unhandled rejection: ${describe(r, s)}`, r instanceof Error ? r.stack : undefined);
    onUncaught?.(r);
  };
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return () => {
    // Unless someone patched it after us: theirs stays.
    if (console.error === patched) console.error = original;
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
  };
}
