import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, Oopsie, startDemoSite } from './harness';

let oopsie: Oopsie;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let token: string;
const sites: Awaited<ReturnType<typeof startDemoSite>>[] = [];

beforeAll(async () => {
  oopsie = await Oopsie.start(inject('oopsieBin'));
  ({ token } = await oopsie.setUp());
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(sites.map((s) => s.close()));
  await oopsie?.close();
});

const REPORTS = `query($p: ID!) { reports(projectId: $p) { totalCount edges { node { message consoleErrors } } } }`;
const queued = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('oopsie:queue') ?? '[]') as unknown[]);

async function site(name: string) {
  const project = await oopsie.createProject(token, name);
  const s = await startDemoSite(oopsie.url, project.key);
  sites.push(s);
  return { ...project, url: s.url };
}

async function open(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (window as { oopsieReady?: boolean }).oopsieReady);
  return page;
}

async function reportWhileDown(page: Page, message: string) {
  await page.click('#checkout');
  await oopsie.down();
  await page.getByRole('button', { name: 'Report a bug' }).click();
  await page.getByLabel('What happened?').fill(message);
  await page.getByLabel('I agree to send my browsing data for bug analysis').check();
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect.poll(() => page.getByText('Your report is saved and will be sent automatically.').isVisible()).toBe(true);
  expect(await queued(page)).toHaveLength(1);
}

it('queues a report while the server is down and delivers it once, by itself, when the server is back', async () => {
  const s = await site('Queue retry');
  const page = await open(`${s.url}/shop`);
  await reportWhileDown(page, 'Sent while the server was down');
  await oopsie.up();
  // Retried on the backoff schedule (1 s, 2 s, 4 s, …) without a reload.
  await expect.poll(() => queued(page), { timeout: 20_000, interval: 250 }).toEqual([]);
  // Later loads find nothing left to send.
  await page.reload();
  await page.waitForFunction(() => (window as { oopsieReady?: boolean }).oopsieReady);
  await page.waitForTimeout(1000);
  const { reports } = await oopsie.graphql(REPORTS, { p: s.projectId }, token);
  expect(reports.totalCount).toBe(1);
  expect(reports.edges[0].node.message).toBe('Sent while the server was down');
  expect(reports.edges[0].node.consoleErrors).toEqual([expect.objectContaining({ message: 'TypeError: Cart total is NaN' })]);
  await page.close();
});

it('delivers a queued report on the next page load, once', async () => {
  const s = await site('Queue reload');
  const first = await open(`${s.url}/shop`);
  await reportWhileDown(first, 'Queued, then the tab was closed');
  await first.close();
  await oopsie.up();
  // Two tabs open at once: only one of them sends it.
  const [a, b] = await Promise.all([open(`${s.url}/shop`), open(`${s.url}/shop`)]);
  await expect.poll(() => queued(a), { timeout: 10_000, interval: 250 }).toEqual([]);
  await a.waitForTimeout(1000);
  const { reports } = await oopsie.graphql(REPORTS, { p: s.projectId }, token);
  expect(reports.totalCount).toBe(1);
  expect(reports.edges[0].node.message).toBe('Queued, then the tab was closed');
  await Promise.all([a.close(), b.close()]);
});

it('tells the user at once, and queues nothing, when the project revoked its key', async () => {
  const s = await site('Queue revoked key');
  const { project } = await oopsie.graphql(`query($id: ID!) { project(id: $id) { publicKeys { id } } }`, { id: s.projectId }, token);
  await oopsie.graphql(`mutation($id: ID!) { revokePublicKey(id: $id) { id } }`, { id: project.publicKeys[0].id }, token);
  const page = await open(`${s.url}/shop`);
  await page.getByRole('button', { name: 'Report a bug' }).click();
  await page.getByLabel('What happened?').fill('Sent with a revoked key');
  await page.getByLabel('I agree to send my browsing data for bug analysis').check();
  await page.getByRole('button', { name: 'Send report' }).click();
  // The refusal is readable cross-origin, so it is final, not "offline".
  await expect.poll(() => page.getByText('The report could not be sent.').isVisible()).toBe(true);
  expect(await page.getByText('You seem to be offline').count()).toBe(0);
  expect(await queued(page)).toEqual([]);
  await page.close();
});
