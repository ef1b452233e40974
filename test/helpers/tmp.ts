import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh temp folder removed when the current test ends, pass or fail. */
export function tempDir(prefix = 'tw-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
export const SEED = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'seed-stack');
