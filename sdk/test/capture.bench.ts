// @vitest-environment happy-dom
import { bench, describe } from 'vitest';
import { Breadcrumbs, crumbOf } from '../src/breadcrumbs';
import { RollingBuffer, type BufferKind } from '../src/buffer';
import { captureClicks } from '../src/capture/clicks';
import { captureConsole } from '../src/capture/console';
import { captureNavigation } from '../src/capture/navigation';
import type { Uninstall } from '../src/capture/types';
import { createSanitizer } from '../src/sanitize';

// What the SDK does per captured event: build it, sanitise it, push it into
// the buffer (which measures and prunes) and keep a breadcrumb. Each event
// is timed with the SDK installed and without it ("page alone"): the
// difference of the medians is the SDK's cost, which scripts/bench-check.mjs holds under
// 50 µs. It runs in happy-dom: jsdom's DOM is so slow that its own share of
// dispatching a click would drown the SDK's.
const buffer = new RollingBuffer(5 * 60_000, 1_000_000);
const crumbs = new Breadcrumbs(50);
const record = (kind: BufferKind, data: Record<string, unknown>) => {
  buffer.push(kind, data);
  crumbs.add(crumbOf(kind, data));
};
const s = createSanitizer();

document.body.innerHTML = '<main><section class="cart"><ul><li><button class="btn primary" data-action="pay">Pay now</button></li></ul></section></main>';
const button = document.querySelector('button')!;
const click = new MouseEvent('click', { bubbles: true });
const error = new TypeError('cart is undefined');
console.error = () => {};

const installed = (install: () => Uninstall) => {
  let undo: Uninstall | undefined;
  return { setup: () => { undo = install(); }, teardown: () => { undo?.(); } };
};

describe('click', () => {
  const fn = () => { button.dispatchEvent(click); };
  bench('page alone', fn);
  bench('with Oopsie', fn, installed(() => captureClicks(record, () => null)));
});

describe('navigation (pushState)', () => {
  let n = 0;
  const fn = () => { history.pushState(null, '', `/items/${n++}?token=secret`); };
  bench('page alone', fn);
  bench('with Oopsie', fn, installed(() => captureNavigation(record, s)));
});

describe('console.error with an Error', () => {
  const fn = () => { console.error('Checkout failed', error); };
  bench('page alone', fn);
  bench('with Oopsie', fn, installed(() => captureConsole(record, s)));
});

describe('network failure (sanitise the URL, headers and JSON bodies)', () => {
  bench('with Oopsie', () => {
    record('networkFailures', {
      method: 'POST', url: s.url('https://api.example.com/v1/orders?api_key=k&page=2'), status: 500, statusText: 'Internal Server Error',
      durationMs: 120, timestamp: new Date().toISOString(),
      requestHeaders: s.headers({ authorization: 'Bearer x', 'content-type': 'application/json' }),
      responseHeaders: s.headers({ 'content-type': 'application/json', 'set-cookie': 'a=b' }),
      requestBody: s.body('{"user":{"email":"jane@example.com","password":"hunter2"},"items":[1,2,3]}'),
      responseBody: s.body('{"error":"database unavailable","code":500}'),
    });
  });
});
