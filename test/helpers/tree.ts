import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Every file under dir with its bytes (base64), skipping the given top-level folders. */
export function tree(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (d === dir && skip.includes(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** The relative paths whose bytes differ between two trees (added, removed or changed). */
export function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}
