import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { BrowserContext, Request } from 'playwright-core';
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

const REPORTS = `query($p: ID!) { reports(projectId: $p) { totalCount edges { node {
  message category severity reporterEmail pageUrl appVersion browser userContext customMetadata deviceInfo timeline consoleErrors networkFailures consentGiven
} } } }`;

function serverRequests(context: BrowserContext, serverUrl: string) {
  const seen: Request[] = [];
  context.on('request', (r) => { if (r.url().startsWith(serverUrl)) seen.push(r); });
  return seen;
}

it('sends a report with the navigation, click, error and failed request, redacted, and nothing before submit', async () => {
  const toServer = serverRequests(browser.context, oopsie.url);
  const page = await browser.context.newPage();
  await page.goto(`${site.url}/shop`);
  await page.waitForFunction(() => (window as { oopsieReady?: boolean }).oopsieReady);

  await page.click('#go-cart');
  await page.click('#checkout');
  await page.click('#load-orders');
  await page.click('#save-profile');
  await page.waitForFunction(() => (window as { ordersStatus?: number }).ordersStatus === 500);
  await page.waitForFunction(() => (window as { profileStatus?: number }).profileStatus === 422);
  await page.waitForTimeout(200); // the failed response's body is read after the page gets it

  // Browsing sent nothing: the only request to the server was the script itself.
  expect(toServer.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual(['GET /sdk/oopsie.js']);
  expect((await oopsie.graphql(REPORTS, { p: project.projectId }, project.token)).reports.totalCount).toBe(0);

  // The page's CSS does not reach the widget, and the widget's does not reach the page.
  const launcher = page.getByRole('button', { name: 'Report a bug' });
  expect(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(99, 102, 241)');
  expect(await page.locator('#page-launcher').evaluate((d) => getComputedStyle(d).position)).toBe('static');

  await launcher.click();
  await page.getByLabel('What happened?').fill('The cart total shows NaN and orders do not load');
  await page.getByLabel('Category').selectOption('ui');
  await page.getByLabel('Severity').selectOption('high');
  await page.getByLabel('I agree to send my browsing data for bug analysis').check();
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${oopsie.url}/api/v1/reports`);
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect.poll(() => page.getByText('Thank you! Your report has been sent.').isVisible()).toBe(true);

  // Secrets were redacted in the browser, before anything left it.
  const body = (await posted).postData()!;
  expect(body).not.toMatch(/leaky/);

  const [report] = await oopsie.waitForItems<any>(REPORTS, { p: project.projectId }, project.token, (d) => d.reports.edges, 1);
  expect(report).toMatchObject({
    message: 'The cart total shows NaN and orders do not load', category: 'UI', severity: 'HIGH', reporterEmail: 'jane@example.com',
    pageUrl: `${site.url}/cart?coupon=SPRING&access_token=[REDACTED]`, appVersion: '2.1.0', browser: 'Chrome', consentGiven: true,
    userContext: { id: 'user_123', email: 'jane@example.com', name: 'Jane Doe' },
    customMetadata: { appVersion: '2.1.0', environment: 'e2e' },
  });
  expect(report.deviceInfo).toMatchObject({ userAgent: expect.stringContaining('Chrome'), language: expect.any(String), online: true,
    timezone: expect.any(String), viewport: { width: expect.any(Number), height: expect.any(Number) } });

  const timeline = report.timeline as Record<string, unknown>[];
  expect(timeline).toEqual(expect.arrayContaining([
    expect.objectContaining({ type: 'navigation', trigger: 'load', to: `${site.url}/shop` }),
    expect.objectContaining({ type: 'navigation', trigger: 'pushState', from: `${site.url}/shop`, to: `${site.url}/cart?coupon=SPRING&access_token=[REDACTED]` }),
    expect.objectContaining({ type: 'click', selector: 'button#go-cart', text: 'Go to cart', x: expect.any(Number), y: expect.any(Number) }),
    expect.objectContaining({ type: 'click', selector: 'button#load-orders' }),
  ]));
  // The widget's own clicks are not part of the bug.
  expect(timeline.filter((e) => e.type === 'click')).toHaveLength(4);

  expect(report.consoleErrors).toEqual([expect.objectContaining({
    kind: 'console', message: 'TypeError: Cart total is NaN', stack: expect.stringContaining('TypeError: Cart total is NaN'),
  })]);
  // In the order they completed, which the two requests do not promise.
  expect(report.networkFailures).toHaveLength(2);
  expect(report.networkFailures).toEqual(expect.arrayContaining([
    expect.objectContaining({
      initiator: 'fetch', method: 'GET', url: `${site.url}/api/orders?page=1`, status: 500, durationMs: expect.any(Number),
      requestHeaders: { authorization: '[REDACTED]' }, responseHeaders: expect.objectContaining({ 'content-type': 'application/json' }),
      responseBody: JSON.stringify({ error: 'orders database unavailable', session_token: '[REDACTED]' }),
    }),
    expect.objectContaining({
      initiator: 'xhr', method: 'POST', url: `${site.url}/api/profile`, status: 422,
      requestBody: JSON.stringify({ email: 'jane@example.com', password: '[REDACTED]' }),
      responseBody: JSON.stringify({ error: 'password too short' }),
    }),
  ]));
  expect(JSON.stringify(report)).not.toMatch(/leaky/);
  await page.close();
});
