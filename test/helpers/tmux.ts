import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * A private tmux server for the calling test file: every tmux command — ours, the library's
 * and the CLI processes' we spawn (they inherit the environment) — goes to it, and it is
 * killed and its folder removed after the file's tests.
 */
export function usePrivateTmux(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tw-tmux-${name}-`));
  process.env.TMUX_TMPDIR = dir;
  afterAll(async () => {
    await execa('tmux', ['kill-server'], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
