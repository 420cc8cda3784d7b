import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, Oopsie, startDemoSite } from './harness';

let oopsie: Oopsie;
let site: Awaited<ReturnType<typeof startDemoSite>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let project: Awaited<ReturnType<Oopsie['setUp']>>;

beforeAll(async () => {
  oopsie = await Oopsie.start(inject('oopsieBin'));
  project = await oopsie.setUp();
  site = await startDemoSite(oopsie.url, project.key);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await oopsie?.close();
});

type W = typeof window & { Oopsie: typeof import('../src/index').default; oopsieReady?: boolean };

it('sends feedback and crashes, manual and automatic, to the project the key names', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${site.url}/app?autocrash`);
  await page.waitForFunction(() => (window as W).oopsieReady);
  await page.click('#go-cart');

  const outcomes = await page.evaluate(async () => {
    const { Oopsie } = window as W;
    const feedback = await Oopsie.feedback.submit({ category: 'feature', message: 'Please add dark mode', email: 'jane@example.com' });
    Oopsie.breadcrumbs.add({ type: 'ui', message: 'Opened settings', data: { tab: 'billing' } });
    function saveSettings() {
      throw new RangeError('Invalid currency code');
    }
    let crash;
    try { saveSettings(); } catch (e) { crash = await Oopsie.crashes.captureException(e, { tags: { operation: 'save' } }); }
    return { feedback, crash };
  });
  expect(outcomes.feedback).toMatchObject({ status: 'sent', id: expect.stringMatching(/^fbk_/) });
  expect(outcomes.crash).toMatchObject({ status: 'sent', id: expect.stringMatching(/^crs_/), groupId: expect.stringMatching(/^grp_/) });

  // enableAutoCrashReporting: an uncaught error goes out on its own.
  await page.evaluate(() => { setTimeout(() => { throw new TypeError('Uncaught in a timer'); }); });

  const [feedback] = await oopsie.waitForItems<any>(
    `query($p: ID!) { feedbacks(projectId: $p) { edges { node { category message email appVersion platform osVersion deviceInfo } } } }`,
    { p: project.projectId }, project.token, (d) => d.feedbacks.edges, 1);
  expect(feedback).toMatchObject({ category: 'FEATURE', message: 'Please add dark mode', email: 'jane@example.com', appVersion: '2.1.0', platform: 'web',
    deviceInfo: expect.objectContaining({ userAgent: expect.stringContaining('Chrome') }) });

  const groups = await oopsie.waitForItems<any>(
    `query($p: ID!) { crashGroups(projectId: $p) { edges { node { errorType errorMessage occurrenceCount affectedPlatforms affectedVersions
      crashReports(first: 5) { edges { node { stackTrace breadcrumbs appState userID severity platform appVersion } } } } } } }`,
    { p: project.projectId }, project.token, (d) => d.crashGroups.edges, 2);
  const manual = groups.find((g) => g.errorType === 'RangeError');
  const auto = groups.find((g) => g.errorType === 'TypeError');
  expect(manual).toMatchObject({ errorMessage: 'Invalid currency code', occurrenceCount: 1, affectedPlatforms: ['web'], affectedVersions: ['2.1.0'] });
  expect(auto).toMatchObject({ errorMessage: 'Uncaught in a timer', occurrenceCount: 1 });
  const crash = manual.crashReports.edges[0].node;
  expect(crash).toMatchObject({ userID: 'user_123', severity: 'ERROR', platform: 'web', appState: { tags: { operation: 'save' } } });
  expect(crash.stackTrace[0]).toMatchObject({ function: 'saveSettings', isNative: false, line: expect.any(Number), column: expect.any(Number) });
  expect(crash.breadcrumbs).toEqual(expect.arrayContaining([
    expect.objectContaining({ type: 'navigation', message: `${site.url}/cart?coupon=SPRING&access_token=[REDACTED]` }),
    expect.objectContaining({ type: 'click', message: 'button#go-cart' }),
    expect.objectContaining({ type: 'ui', message: 'Opened settings', data: { tab: 'billing' } }),
  ]));
  await page.close();
});
