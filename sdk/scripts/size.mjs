// Prints the CDN build's size, minified and gzipped, and fails over the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 15 * 1024;
const js = readFileSync(new URL('../dist/oopsie.js', import.meta.url));
const gz = gzipSync(js, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/oopsie.js: ${kb(js.length)} minified, ${kb(gz)} gzipped (budget ${kb(BUDGET)} gzipped)`);
if (gz > BUDGET) {
  console.error('size: the CDN build is over budget');
  process.exit(1);
}
