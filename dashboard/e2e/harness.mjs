// Starts the real server on a fresh SQLite database and a real Chromium, and
// collects every browser console error so a test can fail on them.
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = new URL("./screenshots/", import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(base, server, logs) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${logs.join("")}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after 30s:\n${logs.join("")}`);
}

export async function startStack() {
  const bin = process.env.OOPSIE_BIN;
  if (!bin) throw new Error("OOPSIE_BIN must name an oopsie binary built with the dashboard (make test-dashboard does this)");
  const dataDir = await mkdtemp(join(tmpdir(), "oopsie-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logs = [];
  const server = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      OOPSIE_ADDR: `127.0.0.1:${port}`,
      OOPSIE_DATA_DIR: dataDir,
      OOPSIE_PUBLIC_URL: base,
      OOPSIE_RELEASES_URL: "",
      // The webhook test's receiver listens on 127.0.0.1, which webhooks refuse by default.
      OOPSIE_WEBHOOK_ALLOW_PRIVATE: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (d) => logs.push(String(d)));
  server.stderr.on("data", (d) => logs.push(String(d)));
  await waitReady(base, server, logs);

  const userDataDir = await mkdtemp(join(tmpdir(), "oopsie-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1366, height: 900 },
    // Screenshots catch live rows mid-animation otherwise; the CSS has a static highlight for this.
    reducedMotion: "reduce",
    baseURL: base,
  });
  context.setDefaultTimeout(10_000);
  await mkdir(SCREENSHOTS, { recursive: true });

  const consoleErrors = [];
  const watch = (page) => {
    page.on("console", (msg) => msg.type() === "error" && consoleErrors.push(`${page.url()}: ${msg.text()}`));
    page.on("pageerror", (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
  };
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  return {
    base,
    page,
    context,
    consoleErrors,
    logs,
    async stop() {
      await context.close().catch(() => {});
      server.kill("SIGTERM");
      await new Promise((r) => (server.exitCode !== null ? r() : server.once("exit", r)));
      await rm(dataDir, { recursive: true, force: true });
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A GraphQL call from the test itself, to read what the UI cannot show (keys) or check persistence. */
export async function graphql(base, query, variables, token) {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Every frame the page sent over WebSockets, so a test can wait for a subscription to start. */
export function recordSentFrames(page) {
  const frames = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => frames.push(String(f.payload))));
  return {
    /** Waits for a subscribe message of the named operation sent after mark (see mark()). */
    async waitForSubscribe(operation, since, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        if (frames.slice(since).some((f) => f.includes('"type":"subscribe"') && f.includes(`subscription ${operation}`))) {
          // The server registers the subscription just after reading the message.
          await new Promise((r) => setTimeout(r, 300));
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${operation} subscription was sent`);
    },
    mark: () => frames.length,
  };
}
