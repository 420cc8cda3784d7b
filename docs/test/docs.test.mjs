// Checks of the built site (run `npm run build` first; `make test-docs` does both):
//
//  1. every internal link and anchor in dist/ resolves to a built page and an element id;
//  2. every environment variable read in internal/config/config.go is on the configuration page;
//  3. every path and method of internal/httpserver/openapi.json is on the REST API reference;
//  4. every option of the SDK's init options type (sdk/src/types.ts) is on the SDK configuration page.
//
// The sources are parsed here rather than imported, so that a change in the code
// (a new variable, route or option) fails the check until the docs describe it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(docsDir, '..');
const dist = join(docsDir, 'dist');

if (!existsSync(join(dist, 'index.html'))) {
  throw new Error(`${relative(process.cwd(), dist)}/index.html is missing: build the site first (npm run build, or make test-docs)`);
}

/** Every file under dir, recursively. */
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const decode = (s) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');

/** The page's text, tags removed, whitespace collapsed (scripts and styles dropped). */
function text(html) {
  return decode(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' '),
  ).replace(/\s+/g, ' ');
}

/** The text of every <code> element of a page. */
function codeSpans(html) {
  return new Set([...html.matchAll(/<code\b[^>]*>([\s\S]*?)<\/code>/gi)].map((m) => decode(m[1].replace(/<[^>]+>/g, '')).trim()));
}

/** The built file a site path resolves to, as the static server would serve it, or undefined. */
function fileFor(pathname) {
  const p = decodeURIComponent(pathname);
  const candidates = p.endsWith('/') ? [join(dist, p, 'index.html')] : [join(dist, p), join(dist, p, 'index.html'), join(dist, `${p}.html`)];
  return candidates.find((c) => c.startsWith(dist) && existsSync(c) && statSync(c).isFile());
}

function page(path) {
  const file = fileFor(path);
  assert.ok(file, `the page ${path} was not built`);
  return readFileSync(file, 'utf8');
}

const htmlFiles = walk(dist).filter((f) => f.endsWith('.html'));
const idsOf = new Map();
function ids(file) {
  if (!idsOf.has(file)) {
    const html = readFileSync(file, 'utf8');
    idsOf.set(file, new Set([...html.matchAll(/\sid=(?:"([^"]*)"|'([^']*)')/g)].map((m) => decode(m[1] ?? m[2]))));
  }
  return idsOf.get(file);
}

test('the site has its pages', () => {
  assert.ok(htmlFiles.length >= 30, `only ${htmlFiles.length} pages were built`);
});

test('every internal link and anchor resolves', () => {
  const broken = [];
  let checked = 0;
  for (const file of htmlFiles) {
    const html = readFileSync(file, 'utf8');
    const from = '/' + relative(dist, file).replace(/index\.html$/, '').replace(/\\/g, '/');
    for (const m of html.matchAll(/\s(href|src)=(?:"([^"]*)"|'([^']*)')/g)) {
      const raw = decode(m[2] ?? m[3]);
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) continue; // https:, mailto:, data:, …
      const url = new URL(raw, `http://docs.invalid${from}`);
      checked++;
      const target = fileFor(url.pathname);
      if (!target) {
        broken.push(`${from}: ${raw} (no page at ${url.pathname})`);
        continue;
      }
      const anchor = decodeURIComponent(url.hash.slice(1));
      if (anchor && target.endsWith('.html') && !ids(target).has(anchor)) {
        broken.push(`${from}: ${raw} (no id "${anchor}" on ${url.pathname})`);
      }
    }
  }
  assert.ok(checked > 500, `only ${checked} links were found: is the link pattern still right?`);
  assert.deepEqual(broken, [], `broken links:\n  ${broken.join('\n  ')}`);
});

/** The names of the environment variables config.go reads: string literals passed to its env readers. */
function configEnvVars() {
  const src = readFileSync(join(repo, 'internal/config/config.go'), 'utf8');
  // e.str("OOPSIE_DATA_DIR", …), e.get("JWT_SECRET"), e.intIn("OOPSIE_…", …): every env.<reader>("NAME"
  // except fail, which only names a variable in an error message.
  const names = [...src.matchAll(/\be\.(\w+)\(\s*"([A-Z][A-Z0-9_]*)"/g)].filter((m) => m[1] !== 'fail').map((m) => m[2]);
  return [...new Set(names)];
}

test('the configuration page lists every environment variable of internal/config/config.go', () => {
  const vars = configEnvVars();
  // A sanity floor, so that a change in how config.go reads variables cannot make this pass on nothing.
  assert.ok(vars.length >= 25, `only ${vars.length} variables found in config.go: ${vars.join(', ')}`);
  for (const v of ['OOPSIE_ADDR', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'STORAGE_S3_BUCKET']) {
    assert.ok(vars.includes(v), `the parser of config.go missed ${v}`);
  }
  const code = codeSpans(page('/server/configuration/'));
  const missing = vars.filter((v) => !code.has(v));
  assert.deepEqual(missing, [], `not documented on /server/configuration/: ${missing.join(', ')}`);
});

test('the REST API reference lists every path and method of openapi.json', () => {
  const spec = JSON.parse(readFileSync(join(repo, 'internal/httpserver/openapi.json'), 'utf8'));
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const ops = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => methods.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
  assert.ok(ops.length >= 10, `only ${ops.length} operations in openapi.json`);
  const body = text(page('/server/api/'));
  const missing = ops.filter((op) => !body.includes(op));
  assert.deepEqual(missing, [], `not on /server/api/: ${missing.join(', ')}`);
});

/** The keys of an interface of sdk/src/types.ts, and the nested keys of its *Options members. */
function interfaceKeys(src, name) {
  const m = new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(src);
  assert.ok(m, `interface ${name} not found in sdk/src/types.ts`);
  const out = [];
  for (const k of m[1].matchAll(/^ {2}(\w+)\??\s*:\s*([^;]+);/gm)) {
    const [, key, type] = k;
    out.push(key);
    const nested = /^(\w+Options)$/.exec(type.trim());
    if (nested) out.push(...interfaceKeys(src, nested[1]).map((sub) => `${key}.${sub}`));
  }
  return out;
}

test("the SDK configuration page lists every option of the SDK's init options", () => {
  // The type Oopsie.init takes, as oopsie.ts declares it.
  const api = readFileSync(join(repo, 'sdk/src/oopsie.ts'), 'utf8');
  const typeName = /\binit\(config: (\w+)\)/.exec(api)?.[1];
  assert.ok(typeName, 'Oopsie.init(config: …) not found in sdk/src/oopsie.ts');
  const options = interfaceKeys(readFileSync(join(repo, 'sdk/src/types.ts'), 'utf8'), typeName);
  assert.ok(options.length >= 20, `only ${options.length} options found in ${typeName}: ${options.join(', ')}`);
  for (const o of ['serverUrl', 'apiKey', 'widget.position', 'sanitize.bodyKeys']) {
    assert.ok(options.includes(o), `the parser of types.ts missed ${o}`);
  }
  const code = codeSpans(page('/sdk/configuration/'));
  const missing = options.filter((o) => !code.has(o));
  assert.deepEqual(missing, [], `not documented on /sdk/configuration/: ${missing.join(', ')}`);
});
