import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The real Oopsie server on SQLite in a temporary directory; it can be stopped and started again on the same port and data. */
export class Oopsie {
  readonly url: string;
  private proc: ChildProcess | undefined;
  private log = '';

  private constructor(private readonly bin: string, private readonly port: number, private readonly dataDir: string) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(bin: string): Promise<Oopsie> {
    const o = new Oopsie(bin, await freePort(), mkdtempSync(join(tmpdir(), 'oopsie-e2e-data-')));
    await o.up();
    return o;
  }

  async up(): Promise<void> {
    this.proc = spawn(this.bin, ['serve'], {
      env: { ...process.env, OOPSIE_ADDR: `127.0.0.1:${this.port}`, OOPSIE_DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d) => { this.log += d; });
    this.proc.stderr!.on('data', (d) => { this.log += d; });
    await waitFor(`the server on ${this.url} (log:\n${this.log})`, async () => ((await fetch(`${this.url}/readyz`)).ok ? true : undefined));
  }

  async down(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = undefined;
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async graphql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: T; errors?: unknown[] };
    if (json.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(json.errors)}`);
    return json.data!;
  }

  /** Runs the setup wizard and creates a project open to every origin; returns the admin token, project id and public key. */
  async setUp(): Promise<{ token: string; projectId: string; key: string }> {
    const { setup } = await this.graphql(`mutation($in: SetupInput!) { setup(input: $in) { accessToken } }`,
      { in: { email: 'admin@example.com', password: 'correct horse battery staple', name: 'Admin', instanceName: 'E2E' } });
    const token = setup.accessToken as string;
    return { token, ...(await this.createProject(token, 'Demo Shop')) };
  }

  async createProject(token: string, name: string): Promise<{ projectId: string; key: string }> {
    const { createProject } = await this.graphql(`mutation($in: CreateProjectInput!) { createProject(input: $in) { id publicKeys { key } } }`,
      { in: { name } }, token);
    return { projectId: createProject.id, key: createProject.publicKeys[0].key };
  }

  /** Waits until query's list (picked by pick) has n items, and returns them. */
  async waitForItems<T>(query: string, variables: Record<string, unknown>, token: string, pick: (d: any) => { node: T }[], n: number): Promise<T[]> {
    return waitFor(`${n} items`, async () => {
      const edges = pick(await this.graphql(query, variables, token));
      return edges.length >= n ? edges.map((e) => e.node) : undefined;
    }, 10_000);
  }
}

/** Serves the demo page from its own origin, with the server's URL and key filled in. */
export async function startDemoSite(serverUrl: string, apiKey: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const page = readFileSync(join(__dirname, 'demo.html'), 'utf8').replaceAll('{{serverUrl}}', serverUrl).replaceAll('{{apiKey}}', apiKey);
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/api/orders')) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'orders database unavailable', session_token: 'leaky-session-token' }));
      return;
    }
    if (req.url?.startsWith('/api/profile')) {
      res.writeHead(422, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'password too short' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // localhost rather than 127.0.0.1: another origin than the Oopsie server's.
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** Debian's Chromium, headless, in a fresh profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'oopsie-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
