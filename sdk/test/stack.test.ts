import { describe, expect, it } from 'vitest';
import { parseStack } from '../src/stack';

const f = (fn: string, file: string, line: number, column: number, isNative = false) => ({ function: fn, file, line, column, isNative });

describe('parseStack', () => {
  it('parses Chrome (V8) stacks', () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'id')",
      '    at UserView.render (https://app.example.com/assets/index-3f2a.js:12:345)',
      '    at async loadUser (https://app.example.com/assets/index-3f2a.js:20:5)',
      '    at new Store (http://localhost:5173/src/store.ts?t=1700:8:11)',
      '    at https://app.example.com/assets/vendor.js:1:99',
      '    at Array.map (<anonymous>)',
      '    at Object.<anonymous> (native)',
      '    at eval (eval at compile (https://app.example.com/a.js:3:7), <anonymous>:1:1)',
      '    at saveSettings (<anonymous>:5:13)',
    ].join('\n');
    expect(parseStack(stack)).toEqual([
      f('UserView.render', 'https://app.example.com/assets/index-3f2a.js', 12, 345),
      f('loadUser', 'https://app.example.com/assets/index-3f2a.js', 20, 5),
      f('new Store', 'http://localhost:5173/src/store.ts?t=1700', 8, 11),
      f('', 'https://app.example.com/assets/vendor.js', 1, 99),
      f('Array.map', '', 0, 0, true),
      f('Object.<anonymous>', '', 0, 0, true),
      f('eval', 'https://app.example.com/a.js', 3, 7),
      f('saveSettings', '<anonymous>', 5, 13),
    ]);
  });

  it('parses Firefox stacks', () => {
    const stack = [
      'render@https://app.example.com/assets/index.js:12:345',
      'loadUser/<@https://app.example.com/assets/index.js:20:5',
      '@https://app.example.com/assets/index.js:1:1',
      'onClick@tauri://localhost/assets/main.js:4:2',
      '',
    ].join('\n');
    expect(parseStack(stack)).toEqual([
      f('render', 'https://app.example.com/assets/index.js', 12, 345),
      f('loadUser/<', 'https://app.example.com/assets/index.js', 20, 5),
      f('', 'https://app.example.com/assets/index.js', 1, 1),
      f('onClick', 'tauri://localhost/assets/main.js', 4, 2),
    ]);
  });

  it('parses Safari stacks, with native frames and bare locations', () => {
    const stack = [
      'render@https://app.example.com/assets/index.js:12:345',
      'map@[native code]',
      'global code@https://app.example.com/assets/index.js:30:10',
      'https://app.example.com/assets/index.js:40:2',
      '[native code]',
    ].join('\n');
    expect(parseStack(stack)).toEqual([
      f('render', 'https://app.example.com/assets/index.js', 12, 345),
      f('map', '', 0, 0, true),
      f('', 'https://app.example.com/assets/index.js', 30, 10),
      f('', 'https://app.example.com/assets/index.js', 40, 2),
      f('', '', 0, 0, true),
    ]);
  });

  it('parses the stack of a real error of this engine', () => {
    function thrower(): never {
      throw new RangeError('boom');
    }
    let stack = '';
    try { thrower(); } catch (e) { stack = (e as Error).stack!; }
    const frames = parseStack(stack);
    expect(frames[0]).toMatchObject({ function: 'thrower', isNative: false });
    expect(frames[0]!.file).toMatch(/stack\.test\.ts/);
    expect(frames[0]!.line).toBeGreaterThan(0);
  });

  it('returns no frames for no stack', () => {
    expect(parseStack(undefined)).toEqual([]);
    expect(parseStack('Error: only a message')).toEqual([]);
  });
});
