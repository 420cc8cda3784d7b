// End-to-end: the real binary with the embedded dashboard, a fresh database,
// Debian's Chromium. The tests run in order and build on each other, as a new
// user would: set up, sign out and in, receive a report, triage it, watch crashes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { SCREENSHOTS, graphql, recordSentFrames, startStack } from "./harness.mjs";

const ADMIN = { name: "Ada Admin", email: "ada@example.test", password: "correct horse battery" };
const PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

let stack, page, frames;
let publicKey, slug, reportId, groupId;

async function shot(name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function signIn() {
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function token() {
  const data = await graphql(stack.base, `mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}`, { e: ADMIN.email, p: ADMIN.password });
  return data.login.accessToken;
}

function sendReport(message, fields = {}) {
  return fetch(`${stack.base}/api/v1/reports`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Oopsie-Key": publicKey },
    body: JSON.stringify({
      message,
      category: "ui",
      severity: "high",
      pageUrl: "https://shop.example.test/checkout",
      appVersion: "2.3.0",
      consent: true,
      reporterEmail: "buyer@example.test",
      userContext: { id: "user-42", plan: "pro" },
      customMetadata: { cartSize: 3 },
      deviceInfo: { browser: "Chrome 120", os: "macOS 14", screen: "1440x900" },
      timeline: [
        { type: "navigation", url: "/cart", timestamp: "2026-03-01T12:00:00Z" },
        { type: "click", selector: "#pay", text: "Pay now", x: 412, y: 318, timestamp: "2026-03-01T12:00:03Z" },
      ],
      consoleErrors: [{ message: "TypeError: total is undefined", stack: "TypeError: total is undefined\n    at pay (checkout.js:42:7)", timestamp: "2026-03-01T12:00:04Z" }],
      attachments: [{ filename: "screenshot.png", mimeType: "image/png", data: PIXEL_PNG }],
      networkFailures: [{ method: "POST", url: "/api/pay", status: 500, timestamp: "2026-03-01T12:00:03.5Z", requestBody: '{"amount":42}', responseBody: '{"error":"gateway timeout"}' }],
      ...fields,
    }),
  });
}

function sendCrash(fields = {}) {
  return fetch(`${stack.base}/sdk/${slug}/crashes`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": publicKey },
    body: JSON.stringify({
      errorType: "RangeError",
      errorMessage: "Maximum call stack size exceeded",
      appVersion: "2.3.0",
      platform: "web",
      severity: "fatal",
      userId: "user-42",
      stackTrace: [
        { file: "app.js", line: 10, column: 3, function: "render" },
        { file: "app.js", line: 20, column: 5, function: "update" },
      ],
      breadcrumbs: [{ type: "navigation", message: "Opened /settings", timestamp: "2026-03-01T12:00:00Z" }],
      ...fields,
    }),
  });
}

/** A webhook receiver on 127.0.0.1 recording every request and answering 200. */
async function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/oopsie`,
    requests,
    async next(timeout = 20_000) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        if (requests.length > 0) return requests[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the webhook receiver got no request");
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A card of a detail page, by its title. */
function card(title) {
  return page.locator(`div:has(> div > h2:text-is("${title}"))`);
}

async function created(res) {
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).data;
}

describe("dashboard", () => {
  before(async () => {
    stack = await startStack();
    page = stack.page;
    frames = recordSentFrames(page);
  });

  after(async () => {
    await stack?.stop();
  });

  it("runs the setup wizard from an empty database", async () => {
    await page.goto("/");
    await page.waitForURL("**/setup");
    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Instance name").fill("Acme Bugs");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByLabel("Project name").fill("Web Shop");
    await page.getByRole("button", { name: "Create project" }).click();
    const npm = page.getByLabel("npm snippet", { exact: true });
    await npm.waitFor();
    assert.match(await npm.innerText(), /apiKey: "pk_/);
    await page.getByRole("tab", { name: "CDN" }).click();
    assert.match(await page.getByLabel("CDN snippet", { exact: true }).innerText(), /<script/);
    await shot("setup-snippet");
    await page.getByRole("button", { name: "Go to the dashboard" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();

    const data = await graphql(stack.base, `{ projects(first: 1) { edges { node { slug publicKeys { key } } } } }`, {}, await token());
    slug = data.projects.edges[0].node.slug;
    publicKey = data.projects.edges[0].node.publicKeys[0].key;
  });

  it("signs out and back in", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await page.getByRole("heading", { name: "Sign in to Acme Bugs" }).waitFor();
    await page.getByLabel("Password").fill("wrong password");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    await shot("login");
    await signIn();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    // A reload resumes the session from the rotating refresh token.
    await page.reload();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
  });

  it("shows a report sent through REST in the open list without a reload", async () => {
    const mark = frames.mark();
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    await page.getByText("No reports match").waitFor();
    await frames.waitForSubscribe("ReportCreated", mark);
    await page.evaluate(() => (window.__noReload = true));

    reportId = (await created(await sendReport("Checkout button does nothing"))).id;

    const row = page.locator('tr[data-live="true"]', { hasText: "Checkout button does nothing" });
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, "the page reloaded");
    await shot("reports");
  });

  it("opens the report's timeline with stack and network details", async () => {
    await page.getByRole("link", { name: "Checkout button does nothing" }).click();
    await page.waitForURL(`**/reports/${reportId}`);
    const timeline = page.getByRole("list", { name: "Timeline" });
    await timeline.waitFor();
    assert.equal(await timeline.locator("li").count(), 4);
    await timeline.getByText("Clicked Pay now").waitFor();
    await timeline.getByRole("button", { name: "Element" }).click();
    await timeline.getByText(/selector: #pay\s+position: x 412, y 318/).waitFor();
    await timeline.getByRole("button", { name: "Stack trace" }).click();
    await timeline.getByText("at pay (checkout.js:42:7)").waitFor();
    await timeline.getByRole("button", { name: "Request and response" }).click();
    await timeline.getByText("gateway timeout").waitFor();
    await page.getByText("plan").first().waitFor();
    // The attachment is fetched with the session's token and shown from a blob: URL.
    await page.getByRole("button", { name: "View" }).click();
    const img = page.getByRole("img", { name: "screenshot.png" });
    await img.waitFor();
    await page.waitForFunction(() => document.querySelector('img[alt="screenshot.png"]')?.naturalWidth === 1);
    await shot("report-detail");
  });

  it("persists a status change and a comment", async () => {
    await page.getByLabel("Status").selectOption("RESOLVED");
    await page.getByText("changed status from New to Resolved").waitFor();
    await page.getByLabel("Add a comment").fill("Fixed by the gateway retry.");
    await page.getByRole("button", { name: "Comment" }).click();
    await page.getByRole("list", { name: "Comments" }).getByText("Fixed by the gateway retry.").waitFor();

    await page.reload();
    await page.getByRole("list", { name: "Timeline" }).waitFor();
    assert.equal(await page.getByLabel("Status").inputValue(), "RESOLVED");
    await page.getByRole("list", { name: "Comments" }).getByText("Fixed by the gateway retry.").waitFor();
    const data = await graphql(stack.base, `query($id:ID!){ node(id:$id) { ... on Report { status comments { body } } } }`, { id: reportId }, await token());
    assert.equal(data.node.status, "RESOLVED");
    assert.deepEqual(data.node.comments.map((c) => c.body), ["Fixed by the gateway retry."]);
  });

  it("counts a crash group's occurrences up live", async () => {
    groupId = (await created(await sendCrash())).groupId;

    const mark = frames.mark();
    await page.getByRole("link", { name: "Crashes", exact: true }).click();
    const events = page.locator(`tr[data-group-id="${groupId}"] [data-testid="count-events"]`);
    await events.waitFor();
    assert.equal(await events.innerText(), "1");
    await frames.waitForSubscribe("CrashGroupUpdated", mark);
    await page.evaluate(() => (window.__noReload = true));

    await created(await sendCrash());
    await page.waitForFunction((id) => document.querySelector(`tr[data-group-id="${id}"] [data-testid="count-events"]`)?.textContent === "2", groupId, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, "the page reloaded");
    await shot("crashes");
  });

  it("comes back to where the user was after the session expired", async () => {
    await page.goto("/crashes?status=NEW");
    await page.getByRole("heading", { name: "Crashes" }).waitFor();
    // The refresh token is revoked server-side (as after a reuse or a logout elsewhere).
    const refreshToken = await page.evaluate(() => localStorage.getItem("oopsie.refreshToken"));
    await graphql(stack.base, `mutation($t:String!){ logout(refreshToken:$t) }`, { t: refreshToken });
    await page.reload();
    await page.waitForURL(/\/login\?next=/);
    await signIn();
    await page.waitForURL("**/crashes?status=NEW");
    await page.getByRole("heading", { name: "Crashes" }).waitFor();
  });

  it("renders every page (screenshots) with empty and filled states", async () => {
    const groupQuery = page.waitForResponse((res) => res.url().endsWith("/graphql") && /query CrashGroup\(/.test(res.request().postData() ?? ""));
    await page.goto(`/crashes/${groupId}`);
    await page.getByRole("heading", { name: "RangeError" }).waitFor();
    // The trend and the split are the group's, counted by the server: 31 UTC days holding
    // its 2 crashes, both of 2.3.0 on the web. Only the latest crash, the one shown, is fetched.
    const group = (await (await groupQuery).json()).data.node;
    assert.equal(group.trend.length, 31);
    assert.equal(group.trend.reduce((n, b) => n + b.occurrences, 0), 2);
    const counts = (list) => list.map(({ key, count }) => ({ key, count }));
    assert.equal(group.breakdown.total, 2);
    assert.deepEqual(counts(group.breakdown.byVersion), [{ key: "2.3.0", count: 2 }]);
    assert.deepEqual(counts(group.breakdown.byPlatform), [{ key: "web", count: 2 }]);
    assert.ok(!("sample" in group), "the page still fetches a sample of crashes");
    await page.getByRole("progressbar", { name: "2.3.0: 2" }).waitFor();
    assert.equal(group.latest.edges.length, 1);
    assert.ok(group.latest.edges[0].node.stackTrace.length > 0);
    await shot("crash-detail");
    await page.getByRole("list", { name: "Stack trace" }).getByText("render").waitFor();
    await page.getByRole("list", { name: "Breadcrumbs" }).getByText("Opened /settings").waitFor();
    await page.getByLabel("Status").selectOption("RESOLVED");
    await page.getByLabel("Resolved in version").fill("2.3.1");
    await page.getByLabel("Resolution notes").fill("Guarded the recursion.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: "Saved" }).waitFor();
    await page.reload();
    await page.getByText("Resolved", { exact: true }).first().waitFor();
    assert.equal(await page.getByLabel("Resolution notes").inputValue(), "Guarded the recursion.");
    await shot("crash-detail");

    await page.goto("/crashes/stats");
    await page.getByText("Top crash groups").waitFor();
    await page.getByRole("link", { name: /RangeError/ }).waitFor();
    await shot("crash-stats");

    await page.goto("/");
    await page.getByText("Checkout button does nothing").waitFor();
    await page.getByText("1 new crash group").waitFor();
    await shot("home");

    const mark = frames.mark();
    await page.goto("/feedback");
    await page.getByText("No feedback").waitFor();
    await shot("feedback-empty");
    await frames.waitForSubscribe("FeedbackCreated", mark);
    await created(
      await fetch(`${stack.base}/sdk/${slug}/feedback`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": publicKey },
        body: JSON.stringify({ category: "feature", message: "Please add a dark mode", appVersion: "2.3.0", platform: "web", email: "fan@example.test" }),
      }),
    );
    await page.getByRole("link", { name: "Please add a dark mode" }).click();
    await page.getByLabel("Status").selectOption("IN_PROGRESS");
    await page.getByRole("heading", { name: "Feature feedback" }).waitFor();
    await shot("feedback-detail");

    await page.goto("/reports?view=grouped");
    await page.getByRole("button", { name: "Grouped" }).waitFor();
    await page.getByRole("cell", { name: /TypeError: total is undefined/ }).waitFor();
    await shot("reports-grouped");

    await page.goto("/projects");
    await page.getByRole("link", { name: "Web Shop" }).click();
    await page.getByRole("heading", { name: "Public keys" }).waitFor();
    await shot("project");

    await page.getByRole("link", { name: "Integration" }).click();
    await page.getByLabel("npm snippet", { exact: true }).waitFor();
    await shot("integration");

    await page.goto("/users");
    await page.getByText(ADMIN.email).waitFor();
    await shot("users");

    await page.goto("/settings");
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    // The test server checks no releases: the page must not claim it is up to date.
    await page.getByText("the update check runs only when OOPSIE_RELEASES_URL is set").waitFor();
    await shot("settings");

    await page.goto("/reports/rep_doesnotexist");
    await page.getByRole("alert").waitFor();
  });

  it("filters, searches and sorts reports through the URL", async () => {
    await page.goto("/reports");
    await page.getByLabel("Status").selectOption("NEW");
    await page.getByText("No reports match").waitFor();
    await page.getByLabel("Status").selectOption("RESOLVED");
    await page.getByRole("link", { name: "Checkout button does nothing" }).waitFor();
    assert.match(page.url(), /status=RESOLVED/);
    await page.getByRole("button", { name: /Severity/ }).click();
    await page.waitForURL(/sort=SEVERITY/);
    await page.getByRole("searchbox", { name: "Search reports" }).fill("gateway");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/q=gateway/);
    await page.getByRole("searchbox", { name: "Search reports" }).fill("nothing");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("link", { name: "Checkout button does nothing" }).waitFor();
    // The filtered view survives a reload: its state is the URL.
    await page.reload();
    assert.equal(await page.getByLabel("Status").inputValue(), "RESOLVED");
    await page.getByRole("link", { name: "Checkout button does nothing" }).waitFor();
    // Back to the previous search: the box shows it, not the one left.
    await page.goBack();
    await page.waitForURL(/q=gateway/);
    assert.equal(await page.getByRole("searchbox", { name: "Search reports" }).inputValue(), "gateway");
  });

  it("opens from each overview counter the list of what it counts", async () => {
    // Unresolved: a new report and one in progress, not the resolved one.
    await created(await sendReport("Coupon field rejects valid codes"));
    const inProgress = (await created(await sendReport("Totals flicker on the cart page"))).id;
    await graphql(stack.base, `mutation($id:ID!){ updateReport(id:$id, input:{status:IN_PROGRESS}) { id } }`, { id: inProgress }, await token());
    // Open: the feedback in progress since the screenshots, and a new one.
    await created(
      await fetch(`${stack.base}/sdk/${slug}/feedback`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": publicKey },
        body: JSON.stringify({ category: "bug", message: "The invoice PDF is blank", appVersion: "2.3.0", platform: "web" }),
      }),
    );
    // The crash group, first seen minutes ago, is resolved by now: still new in the last 24 h.
    for (const [card, url, rows] of [
      ["New reports today", /\/reports\?from=\d{4}-\d{2}-\d{2}$/, page.getByTestId("reports-rows").locator("tr")],
      ["Unresolved reports", /\/reports\?status=UNRESOLVED$/, page.getByTestId("reports-rows").locator("tr")],
      ["Open feedback", /\/feedback\?status=UNRESOLVED$/, page.getByTestId("feedback-rows").locator("li")],
      ["New crash groups (24 h)", /\/crashes\?firstSeen=24h$/, page.locator("tr[data-group-id]")],
    ]) {
      await page.goto("/");
      const link = page.getByRole("link", { name: new RegExp(`^${card.replace(/[()]/g, "\\$&")}`) });
      const counted = Number(await link.locator("p").nth(1).innerText());
      assert.ok(counted >= 1, `${card}: ${counted}`);
      await link.click();
      await page.waitForURL(url);
      await rows.nth(counted - 1).waitFor();
      assert.equal(await rows.count(), counted, `${card}: the list shows another number`);
    }
    assert.equal(await page.getByLabel("First seen").inputValue(), "24h");
    await page.goto("/reports?status=UNRESOLVED");
    assert.equal(await page.getByLabel("Status").inputValue(), "UNRESOLVED");
    await page.getByRole("link", { name: "Totals flicker on the cart page" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Checkout button does nothing" }).count(), 0);
  });

  it("lists a duplicate group's own reports, from the grouped view and from a report", async () => {
    // Two bugs on one orders page: the ids in the URL fold into one normalised page, which a
    // page-URL filter matches in neither the reports' URLs nor apart from the other bug.
    const orders = (id, error) => ({ pageUrl: `https://shop.example.test/orders/${id}?tab=items`, consoleErrors: [{ message: error, timestamp: "2026-03-01T12:00:04Z" }] });
    const first = await created(await sendReport("Order page shows no items", orders(1017, "ReferenceError: items is not defined")));
    await created(await sendReport("Items vanish after a refresh", orders(2230, "ReferenceError: items is not defined")));
    await created(await sendReport("Order total is NaN", orders(1017, "TypeError: price is undefined")));
    const { node: group } = await graphql(stack.base, `query($id:ID!){ node(id:$id) { ... on ReportGroup { id reportCount } } }`, { id: first.groupId }, await token());
    assert.equal(group.reportCount, 2);

    const rows = page.getByTestId("reports-rows").locator("tr");
    const shownMessages = async () => (await rows.locator("td:first-child a").allInnerTexts()).sort();
    await page.goto("/reports?view=grouped");
    await page.getByRole("link", { name: "ReferenceError: items is not defined" }).click();
    await page.waitForURL(`**/reports?group=${group.id}`);
    await page.getByTestId("group-filter").getByText(/ReferenceError: items is not defined/).waitFor();
    await rows.nth(group.reportCount - 1).waitFor();
    assert.equal(await rows.count(), group.reportCount);
    assert.deepEqual(await shownMessages(), ["Items vanish after a refresh", "Order page shows no items"]);

    await page.getByRole("link", { name: "Order page shows no items" }).click();
    await page.getByRole("link", { name: "2 reports from 1 user" }).click();
    await page.waitForURL(`**/reports?group=${group.id}`);
    await rows.nth(group.reportCount - 1).waitFor();
    assert.deepEqual(await shownMessages(), ["Items vanish after a refresh", "Order page shows no items"]);

    await page.getByRole("button", { name: "Remove the group filter" }).click();
    await page.waitForURL(/\/reports$/);
    await page.getByRole("link", { name: "Order total is NaN" }).waitFor();
    assert.equal(await page.getByTestId("group-filter").count(), 0);
  });

  it("lists a crash group's crashes and opens one whole", async () => {
    const quota = { errorType: "QuotaExceededError", errorMessage: "The quota has been exceeded.", stackTrace: [{ file: "store.js", line: 7, column: 2, function: "persist" }] };
    const older = await created(
      await sendCrash({
        ...quota,
        appVersion: "3.0.0",
        platform: "tauri",
        osVersion: "Windows 11",
        severity: "warning",
        userId: "user-7",
        deviceInfo: { model: "Surface Laptop 5" },
        appState: { screen: "editor", tags: { operation: "autosave" } },
        breadcrumbs: [{ type: "navigation", message: "Opened the editor", timestamp: "2026-03-01T12:00:00Z", data: { from: "/home", to: "/editor" } }],
      }),
    );
    const newer = await created(await sendCrash({ ...quota, appVersion: "3.0.1", severity: "error", userId: "user-9" }));
    assert.equal(newer.groupId, older.groupId);

    await page.goto(`/crashes/${older.groupId}`);
    await page.getByRole("heading", { name: "QuotaExceededError" }).waitFor();
    // The latest crash, the one the page samples, says how severe it was and whose it was.
    const latest = page.getByTestId("latest-crash");
    await latest.getByText("Error", { exact: true }).waitFor();
    await latest.getByText(/^User user-9 · 3.0.1 · web$/).waitFor();
    const rows = page.locator("tr[data-crash-id]");
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const cells = (row) => row.locator("td").allInnerTexts();
    assert.deepEqual((await cells(rows.nth(0))).slice(1), ["3.0.1", "web", "Error", "user-9"]);
    assert.deepEqual((await cells(rows.nth(1))).slice(1), ["3.0.0", "tauri · Windows 11", "Warning", "user-7"]);
    assert.equal(await rows.nth(0).getAttribute("data-crash-id"), newer.id);
    await shot("crash-group-crashes");

    await rows.nth(1).getByRole("link").click();
    await page.waitForURL(`**/crashes/report/${older.id}`);
    await page.getByRole("heading", { name: "QuotaExceededError" }).waitFor();
    await page.getByText("The quota has been exceeded.").waitFor();
    await page.getByText("Warning", { exact: true }).first().waitFor();
    for (const [label, value] of [["User", "user-7"], ["App version", "3.0.0"], ["Platform", "tauri"], ["OS version", "Windows 11"]]) {
      assert.equal(await card("Details").locator(`div:has(> dt:text-is("${label}")) > dd`).innerText(), value, label);
    }
    await page.getByRole("list", { name: "Stack trace" }).getByText("persist").waitFor();
    const crumbs = page.getByRole("list", { name: "Breadcrumbs" });
    await crumbs.getByText("Opened the editor").waitFor();
    assert.equal(await crumbs.locator('div:has(> dt:text-is("to")) > dd').innerText(), "/editor");
    const state = card("Device and app state");
    await state.getByText("Surface Laptop 5").waitFor();
    await state.getByText("editor", { exact: true }).waitFor();
    // The tags are the SDK's appState.tags, shown apart rather than twice.
    assert.equal(await state.getByText("autosave").count(), 0);
    await card("Tags").getByText("operation").waitFor();
    await card("Tags").getByText("autosave").waitFor();
    await shot("crash-report");

    await page.getByRole("link", { name: "QuotaExceededError" }).first().click();
    await page.waitForURL(`**/crashes/${older.groupId}`);
    await page.locator("tr[data-crash-id]").nth(1).waitFor();
  });

  it("deletes a report and a piece of feedback after asking", async () => {
    await created(await sendReport("Checkout total ignores the coupon"));
    const report = await created(await sendReport("Duplicate of the checkout bug"));
    await page.goto("/reports");
    await page.getByRole("link", { name: "Duplicate of the checkout bug" }).click();
    await page.waitForURL(`**/reports/${report.id}`);
    const confirmReport = page.getByRole("dialog", { name: "Delete this report?" });
    // Cancelling keeps it.
    await page.getByRole("button", { name: "Delete" }).click();
    await confirmReport.getByRole("button", { name: "Cancel" }).click();
    await confirmReport.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Delete" }).click();
    await confirmReport.getByRole("button", { name: "Delete" }).click();
    // Back to the list it was opened from, whose cached page must not bring it back.
    await page.waitForURL(/\/reports$/);
    await page.getByRole("link", { name: "Checkout total ignores the coupon" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Duplicate of the checkout bug" }).count(), 0);
    await page.goto(`/reports/${report.id}`);
    await page.getByRole("alert").getByText("This report does not exist or was deleted.").waitFor();

    const sendFeedback = async (message) =>
      created(
        await fetch(`${stack.base}/sdk/${slug}/feedback`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-API-Key": publicKey },
          body: JSON.stringify({ category: "general", message, appVersion: "2.3.0", platform: "web" }),
        }),
      );
    await sendFeedback("Love the new checkout");
    const feedback = await sendFeedback("Sent twice by mistake");
    await page.goto("/feedback");
    await page.getByRole("link", { name: "Sent twice by mistake" }).click();
    await page.waitForURL(`**/feedback/${feedback.id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete this feedback?" }).getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/feedback$/);
    await page.getByRole("link", { name: "Love the new checkout" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Sent twice by mistake" }).count(), 0);
    await page.goto(`/feedback/${feedback.id}`);
    await page.getByRole("alert").getByText("This feedback does not exist or was deleted.").waitFor();
  });

  it("shows an error with a retry when the server cannot be reached", async () => {
    const before = stack.consoleErrors.length;
    await page.route("**/graphql", (route) => route.abort());
    await page.goto("/projects");
    await page.getByRole("alert").getByText("Cannot reach the server").waitFor();
    await shot("error-state");
    await page.unroute("**/graphql");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("link", { name: "Web Shop" }).waitFor();
    // The aborted requests were logged by the browser on purpose; anything else still fails the run.
    const caused = stack.consoleErrors.splice(before);
    assert.ok(caused.every((e) => e.includes("net::ERR_FAILED")), caused.join("\n"));
  });

  it("manages projects, public keys, users and API tokens", async () => {
    await page.goto("/projects");
    await page.getByRole("button", { name: "New project" }).click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Name").fill("Desktop App");
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Integration" }).waitFor();
    assert.match(await page.getByLabel("npm snippet", { exact: true }).innerText(), /pk_desktop-app_/);

    await page.getByRole("link", { name: "Desktop App" }).click();
    const rateLimit = page.getByLabel("Rate limit (requests per minute per key)");
    await rateLimit.fill("30");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    // Emptied, the override goes and the default applies again.
    await page.reload();
    assert.equal(await rateLimit.inputValue(), "30");
    await rateLimit.fill("");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    await page.reload();
    assert.equal(await rateLimit.inputValue(), "");

    const ignore = page.getByLabel("Third-party code in stack traces");
    await ignore.fill("vendor/, cdn.example.com");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    await page.reload();
    assert.equal(await ignore.inputValue(), "vendor/, cdn.example.com");

    const keys = page.locator("li", { has: page.locator("code", { hasText: /^pk_desktop-app_/ }) });
    const original = await keys.first().locator("code").innerText();
    await page.getByRole("button", { name: "Regenerate" }).click();
    await page.getByText("Revoked", { exact: true }).waitFor();
    assert.equal(await keys.count(), 2);
    const active = keys.filter({ hasText: "Active" });
    assert.notEqual(await active.locator("code").innerText(), original, "regenerating kept the old key active");

    await page.getByRole("button", { name: "Delete project" }).click();
    const confirmDelete = page.getByRole("dialog", { name: "Delete Desktop App?" });
    await confirmDelete.getByLabel("Type Desktop App to confirm").fill("Desktop App");
    await confirmDelete.getByRole("button", { name: "Delete forever" }).click();
    await page.waitForURL("**/projects");
    await page.getByRole("link", { name: "Web Shop" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Desktop App" }).count(), 0);

    await page.goto("/users");
    await page.getByRole("button", { name: "Add user" }).click();
    const addUser = page.getByRole("dialog", { name: "Add a user" });
    await addUser.getByLabel("Email").fill("bob@example.test");
    await addUser.getByLabel("Temporary password").fill("another long password");
    await addUser.getByRole("button", { name: "Add user" }).click();
    await page.getByText("bob@example.test ·").waitFor();

    await page.goto("/settings");
    await page.getByLabel("New token name").fill("CI export");
    await page.getByRole("button", { name: "Create token" }).click();
    assert.match(await page.getByLabel("new API token", { exact: true }).innerText(), /^uk_live_/);
    await page.getByText("CI export", { exact: true }).waitFor();
    await shot("settings-token");
  });

  it("sends a signed test event to the webhook and shows its delivery without a reload", async () => {
    const receiver = await startReceiver();
    try {
      await page.goto("/projects");
      await page.getByRole("link", { name: "Web Shop" }).click();
      await page.getByRole("heading", { name: "Webhook", exact: true }).waitFor();
      const send = page.getByRole("button", { name: "Send test event" });
      assert.equal(await send.isDisabled(), true, "a test event can be sent without a webhook URL");
      await page.getByText("Set a webhook URL in the settings above and save it to send a test event.").waitFor();
      await page.getByText("No deliveries yet").waitFor();

      await page.getByLabel("Webhook URL").fill(receiver.url);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Saved.").waitFor();
      // The secret comes with the first URL, masked until revealed.
      const secretText = page.getByTestId("webhook-secret");
      await secretText.getByText(/^whsec_•+/).waitFor();
      await page.getByRole("button", { name: "Reveal" }).click();
      const secret = await secretText.innerText();
      assert.match(secret, /^whsec_[^•]+$/);

      await page.evaluate(() => (window.__noReload = true));
      await send.click();
      const req = await receiver.next();
      assert.equal(req.method, "POST");
      assert.match(req.body, /"event":"webhook.test"/);
      const signature = req.headers["x-oopsie-signature"];
      assert.match(signature ?? "", /^t=\d+,v1=[0-9a-f]{64}$/);
      const [, t, v1] = signature.match(/^t=(\d+),v1=([0-9a-f]+)$/);
      assert.equal(v1, createHmac("sha256", secret).update(`${t}.${req.body}`).digest("hex"), "the signature does not match the secret shown");

      // The log picks the delivery up and polls it from pending to succeeded.
      const row = page.locator(`tr[data-delivery-id="${req.headers["x-oopsie-delivery"]}"]`);
      await row.waitFor();
      await row.getByText("Succeeded", { exact: true }).waitFor({ timeout: 20_000 });
      assert.equal(await row.getByTestId("response-code").innerText(), "200");
      assert.match(await row.innerText(), /webhook\.test/);
      assert.equal(await page.evaluate(() => window.__noReload), true, "the page reloaded");
      assert.equal(receiver.requests.length, 1);
      await page.getByRole("button", { name: "Hide" }).click();
      await secretText.getByText(/^whsec_•+/).waitFor();
      await shot("project-webhook");

      page.once("dialog", (d) => d.accept());
      await page.getByRole("button", { name: "Rotate secret" }).click();
      await page.getByText("Secret rotated").waitFor();
      await page.getByRole("button", { name: "Reveal" }).click();
      await page.waitForFunction((old) => /^whsec_[^•]+$/.test(document.querySelector('[data-testid="webhook-secret"]')?.textContent ?? "") && document.querySelector('[data-testid="webhook-secret"]')?.textContent !== old, secret);
      assert.match(await secretText.innerText(), /^whsec_[^•]+$/);
    } finally {
      await receiver.close();
    }
  });

  it("navigates on a phone through the menu", async () => {
    await page.setViewportSize(PHONE);
    await page.goto("/");
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.isVisible(), false);
    await page.getByRole("button", { name: "Menu" }).click();
    await nav.getByRole("link", { name: "Crash stats" }).click();
    await page.getByRole("heading", { name: "Crash stats" }).waitFor();
    assert.equal(await nav.isVisible(), false, "the menu stays open after navigating");
    await page.setViewportSize(DESKTOP);
  });

  it("logged no console error", () => {
    assert.deepEqual(stack.consoleErrors, []);
  });
});
