import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const outsideTests: Array<() => unknown> = [];
afterAll(async () => {
  for (const fn of outsideTests.splice(0).reverse()) await fn();
});

/** Runs `fn` when the current test ends (pass or fail), or after the file's tests when called from a hook. */
export function cleanup(fn: () => unknown): void {
  try {
    onTestFinished(async () => {
      await fn();
    });
  } catch {
    outsideTests.push(fn);
  }
}

/** A fresh temp folder, removed when the current test ends, pass or fail. */
export function tempDir(prefix = 'tw-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
export const SEED = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'seed-stack');
