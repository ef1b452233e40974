import { readFileSync } from 'node:fs';
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
