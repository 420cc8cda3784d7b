import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'es2019',
    clean: false,
    sourcemap: false,
  },
  {
    // The CDN build the server embeds and serves at /sdk/oopsie.js; committed,
    // so it must come out byte for byte the same from the same sources.
    entry: { oopsie: 'src/cdn.ts' },
    format: ['iife'],
    outExtension: () => ({ js: '.js' }),
    minify: true,
    target: 'es2019',
    clean: false,
    sourcemap: false,
  },
]);
