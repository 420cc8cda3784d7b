import type { StackFrame } from './types';

// Chrome and Edge (V8): "    at fn (file:1:2)", "    at file:1:2", "    at async fn (…)".
const V8 = /^\s*at (?:(.+?) \()?(.*?)(?::(\d+))?(?::(\d+))?\)?\s*$/;
// Firefox and Safari: "fn@file:1:2", "@file:1:2", "global code@file:1:2", "map@[native code]".
const GECKO = /^\s*(.*?)@(.*?)(?::(\d+))?(?::(\d+))?\s*$/;

const NATIVE = /^(native|\[native code\]|<anonymous>)$/;

function frame(fn: string | undefined, file: string, line?: string, column?: string): StackFrame {
  // "eval at fn (file:1:2), <anonymous>:3:4": the file that called eval is the useful one.
  const evalAt = /\(eval at .*? \((.*?):(\d+):(\d+)\)/.exec(file) ?? /^eval at .*? \((.*?):(\d+):(\d+)\)/.exec(file);
  if (evalAt) [, file, line, column] = evalAt as unknown as [string, string, string, string];
  // "<anonymous>:5:13" is code evaluated at run time, which has lines; native code has none.
  const isNative = !line && (NATIVE.test(file) || file === '');
  return {
    file: isNative ? '' : file,
    line: line ? Number(line) : 0,
    column: column ? Number(column) : 0,
    function: (fn ?? '').replace(/^async /, '').trim(),
    isNative,
  };
}

/** Parses a Chrome, Firefox or Safari error stack into frames, innermost first. */
export function parseStack(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if (line.startsWith('at ')) {
      if ((m = V8.exec(line))) {
        let [, fn, file = '', l, c] = m;
        // "at fn (native)" or "at Array.map (<anonymous>)"; "at file:1:2" without a function.
        if (fn === undefined && !l && !/[/:]/.test(file)) [fn, file] = [file, ''];
        frames.push(frame(fn, file, l, c));
      }
    } else if (line.includes('@') && (m = GECKO.exec(line))) {
      const [, fn, file = '', l, c] = m;
      frames.push(frame(fn === 'global code' ? '' : fn, file, l, c));
    } else if (/^(?:\w[\w+.-]*:\/\/|\/).*:\d+(?::\d+)?$/.test(line)) {
      // Safari's frames without a function name are the bare location.
      const [, file = '', l, c] = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(line)!;
      frames.push(frame('', file, l, c));
    } else if (line === '[native code]') {
      frames.push(frame('', '[native code]'));
    }
    // Anything else is the "TypeError: message" header or an unknown format.
  }
  return frames.slice(0, 200);
}
