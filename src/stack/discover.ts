/**
 * Finds a stack's files when there is no profile: `.env` files with OTEL_ keys, YAML
 * shaped like Tempo's config, YAML shaped like a collector's — up to three folders deep.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PROFILE_NAME } from './profile.js';

export type FileKind = 'backend' | 'collector' | 'tempo';

export type Candidates = Record<FileKind, string[]>;

const SKIP = new Set(['node_modules', '.git', 'target', 'dist', 'vendor', '.trace-wizard']);
const MAX_DEPTH = 3;
const MAX_SNIFF_BYTES = 1024 * 1024;

export function classify(name: string, text: string): FileKind | undefined {
  if (/^\.env(\..+)?$|\.env$/.test(name)) return /^\s*(export\s+)?OTEL_\w+\s*[=:]/m.test(text) ? 'backend' : undefined;
  if (!/\.ya?ml$/.test(name) || name === PROFILE_NAME) return undefined;
  if (/^receivers:/m.test(text) && /^exporters:/m.test(text) && /^service:/m.test(text)) return 'collector';
  if (/^distributor:/m.test(text) || (/^server:/m.test(text) && /^\s+http_listen_port:/m.test(text))) return 'tempo';
  return undefined;
}

export async function discover(root: string): Promise<Candidates> {
  const found: Candidates = { backend: [], collector: [], tempo: [] };
  async function walk(dir: string, depth: number): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP.has(e.name)) await walk(full, depth + 1);
        continue;
      }
      if (!e.isFile() || !/(^\.env|\.env$|\.ya?ml$)/.test(e.name)) continue;
      const stat = await fs.stat(full).catch(() => undefined);
      if (!stat || stat.size > MAX_SNIFF_BYTES) continue;
      const text = await fs.readFile(full, 'utf8').catch(() => '');
      const kind = classify(e.name, text);
      if (kind) found[kind].push(full);
    }
  }
  await walk(root, 0);
  return found;
}
