import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const DIST = path.resolve(import.meta.dirname, '..', '..', 'dist');

/** Every module a file loads at start: static imports only (dynamic ones load on demand). */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    const spec = m[1];
    if (spec.startsWith('.')) staticGraph(path.resolve(path.dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('headless paths', () => {
  it('never load Ink or React: not from the CLI entry, nor from any headless command', () => {
    for (const entry of ['cli.js', 'commands/diagnose.js', 'commands/fix.js', 'commands/verify.js', 'commands/stack.js', 'commands/rollback.js', 'commands/demo.js']) {
      const graph = [...staticGraph(path.join(DIST, entry))];
      expect(graph.filter((m) => /^(ink|react|ink-select-input)$|\/ui\//.test(m)), entry).toEqual([]);
    }
    // …while the wizard does load them.
    expect([...staticGraph(path.join(DIST, 'ui', 'run.js'))]).toEqual(expect.arrayContaining(['ink', 'react/jsx-runtime']));
  });

  it('the shipped bundle loads Ink only in the wizard’s lazy chunks', () => {
    const bundle = path.join(DIST, 'bundle');
    // Chunks the entry loads at start: its static imports, transitively (minified: `import{…}from"./x.js"`).
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;\s}])import(?!\s*\()\s*(?:[\w$*{}\s,]+from\s*)?["'](\.\/[^"']+)["']/g)) visit(path.join(bundle, m[1]));
    };
    visit(path.join(bundle, 'cli.js'));
    const inkMarker = 'Raw mode is not supported';
    expect([...loaded].filter((f) => readFileSync(f, 'utf8').includes(inkMarker))).toEqual([]);
    const all = readdirSync(bundle).map((f) => path.join(bundle, f));
    expect(all.some((f) => readFileSync(f, 'utf8').includes(inkMarker))).toBe(true);
  });

  it.each([
    ['no terminal', { CI: '' }],
    ['CI set', { CI: 'true' }],
  ])('with %s, the wizard renders nothing, names the headless commands, and exits 2', async (_, env) => {
    const r = await runCli([], { cwd: tempDir(), env });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('trace-wizard fix --option direct|tempo-plaintext|collector-tls --yes');
  });
});
