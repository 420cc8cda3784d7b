import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    oopsieBin: string;
  }
}

/** Builds the server once for every browser test file. */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'oopsie-e2e-bin-'));
  const bin = join(dir, 'oopsie');
  execFileSync(process.env.GO || 'go', ['build', '-o', bin, './cmd/oopsie'], { cwd: resolve(__dirname, '../..'), stdio: 'inherit' });
  project.provide('oopsieBin', bin);
  return () => rmSync(dir, { recursive: true, force: true });
}
