import { defineConfig } from 'vitest/config';

// Real-browser tests: Debian's Chromium against the real Go server.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    // The capture-cost measurement is a benchmark (make bench-sdk), not a test.
    exclude: process.env.OOPSIE_BENCH ? [] : ['e2e/capture-cost.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
