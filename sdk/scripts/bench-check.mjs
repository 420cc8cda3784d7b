// Reads vitest bench's JSON output and prints, beside the 50 µs budget, what
// capturing one event costs the SDK: the median "with Oopsie" less the median "page
// alone" of the same group (the page's own work, such as jsdom dispatching a
// click). Medians, because on a shared machine a few garbage collections or
// a busy neighbour move the mean by hundreds of microseconds.
import { readFileSync } from 'node:fs';

const BUDGET_US = 50;
const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const file of report.files) {
  for (const group of file.groups) {
    const median = (name) => group.benchmarks.find((b) => b.name === name)?.median;
    const withSdk = median('with Oopsie');
    if (withSdk === undefined) continue;
    const cost = Math.max(0, withSdk - (median('page alone') ?? 0)) * 1000;
    const event = group.fullName.split(' > ').pop();
    console.log(`${cost < BUDGET_US ? 'ok  ' : 'OVER'} ${event}: ${cost.toFixed(1)} µs per event (budget ${BUDGET_US} µs)`);
  }
}
