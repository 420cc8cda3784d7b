import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, Oopsie, startDemoSite } from './harness';

let oopsie: Oopsie;
let site: Awaited<ReturnType<typeof startDemoSite>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  oopsie = await Oopsie.start(inject('oopsieBin'));
  site = await startDemoSite(oopsie.url, (await oopsie.setUp()).key);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await oopsie?.close();
});

type W = typeof window & { Oopsie: typeof import('../src/index').default; oopsieReady?: boolean; initOopsie(): void };

// The Vitest bench measures the capture cost in happy-dom; this holds it to
// the same budget, 50 µs an event, in a real browser. Navigations are left
// to the bench: Chromium ignores history calls past 200 in 10 seconds, so
// they cannot be timed in a loop.
it('captures a click and a console error in under 50 µs each in Chromium', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${site.url}/shop`);
  await page.waitForFunction(() => (window as W).oopsieReady);
  const costs = await page.evaluate(() => {
    const w = window as W;
    const button = document.getElementById('checkout')!.cloneNode(true) as HTMLButtonElement; // without the page's listener
    document.body.append(button);
    const error = new TypeError('cart is undefined');
    const events: Record<string, () => void> = {
      click: () => button.click(),
      consoleError: () => console.error('Checkout failed', error),
    };
    // The fastest of 15 batches of 200, after a warm-up batch: timers are
    // coarse in a page, and on a shared machine the slower batches measure
    // the neighbours and the garbage collector.
    const perEvent = (fn: () => void) => {
      const batches: number[] = [];
      for (let k = 0; k < 16; k++) {
        const t = performance.now();
        for (let i = 0; i < 200; i++) fn();
        if (k) batches.push(((performance.now() - t) * 1000) / 200);
      }
      return Math.min(...batches);
    };
    const pageConsole = console.error;
    const out: Record<string, number> = {};
    for (const [name, fn] of Object.entries(events)) {
      w.Oopsie.destroy();
      // The page's own console.error, silenced: DevTools' takes a few hundred µs.
      console.error = () => {};
      const alone = perEvent(fn);
      w.initOopsie();
      out[name] = Math.max(0, perEvent(fn) - alone);
    }
    console.error = pageConsole;
    return out;
  });
  console.log('capture cost in Chromium, µs per event:', Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, Number(v.toFixed(1))])));
  expect(Object.keys(costs)).toEqual(['click', 'consoleError']);
  for (const cost of Object.values(costs)) expect(cost).toBeLessThan(50);
  await page.close();
});
