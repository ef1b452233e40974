import { diffArrays } from 'diff';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, isAlias, isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { YamlFile } from '../../src/edit/yaml-file.js';
import { UserError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/tmp.js';

const dir = path.join(FIXTURES, 'yaml');
const corpus = readdirSync(dir).map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));

/** 1-based lines of the old text that an edit removed or rewrote. */
function removedLines(before: string, after: string): number[] {
  const split = (t: string) => t.split(/(?<=\n)/);
  const out: number[] = [];
  let i = 1;
  for (const part of diffArrays(split(before), split(after))) {
    if (part.removed) for (let k = 0; k < part.value.length; k++) out.push(i++);
    else if (!part.added) i += part.value.length;
  }
  return out;
}

/** Every path to a single-line scalar reached through maps only (no aliases, sequences or merges). */
function scalarPaths(text: string): string[][] {
  const out: string[][] = [];
  const walk = (node: unknown, p: string[]) => {
    if (isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of (node as YAMLMap).items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (k === undefined || k === '<<') continue;
        walk(pair.value, [...p, k]);
      }
    } else if (isScalar(node) && node.value !== null && !String(node.value).includes('\n') && !['BLOCK_LITERAL', 'BLOCK_FOLDED'].includes(String(node.type))) {
      out.push(p);
    }
  };
  for (const doc of parseAllDocuments(text) as { contents: Node | null }[]) walk(doc.contents, []);
  return out;
}

/** The editor re-parses only the edited map: what it reads (values, positions) must equal a fresh parse of its text. */
function expectSameAsFresh(y: YamlFile, after: string): void {
  const fresh = YamlFile.parse(y.toString());
  for (let d = 0; d < fresh.documentCount; d++) expect(y.toJS(d), after).toEqual(fresh.toJS(d));
  for (const q of scalarPaths(y.toString())) expect(y.span(q), `${after}, then ${q.join('.')}`).toEqual(fresh.span(q));
}

describe('YAML editor on a corpus', () => {
  it('has at least 20 files, the seed configs among them', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    expect(corpus.map((c) => c.name)).toEqual(expect.arrayContaining(['01-seed-collector.yaml', '02-seed-tempo.yaml']));
  });

  for (const { name, text } of corpus) {
    describe(name, () => {
      it('round-trips byte for byte', () => {
        expect(YamlFile.parse(text, name).toString()).toBe(text);
      });

      it('setting any scalar rewrites only that entry’s lines and reads back', () => {
        const paths = scalarPaths(text);
        expect(paths.length).toBeGreaterThan(0);
        for (const p of paths) {
          const y = YamlFile.parse(text, name);
          const span = y.span(p)!;
          y.set(p, 'edited:4317');
          expect(y.get(p)).toBe('edited:4317');
          const removed = removedLines(text, y.toString());
          expect(removed.length, `${p.join('.')}`).toBeGreaterThan(0);
          expect(removed.every((l) => l >= span.first && l <= span.last), `${p.join('.')}: lines ${removed} outside ${span.first}-${span.last}`).toBe(true);
        }
      });

      it('after each of a set, an insert and a delete, reads exactly as its text parsed afresh', () => {
        for (const p of scalarPaths(text)) {
          const y = YamlFile.parse(text, name);
          y.set(p, 'edited:4317');
          expectSameAsFresh(y, `set ${p.join('.')}`);
          y.set([...p.slice(0, -1), 'added_key', 'deeper'], 'new value');
          expectSameAsFresh(y, `insert beside ${p.join('.')}`);
          y.delete(p);
          expectSameAsFresh(y, `delete ${p.join('.')}`);
          y.delete([...p.slice(0, -1), 'added_key', 'deeper']);
          expectSameAsFresh(y, `delete the insert beside ${p.join('.')}`);
        }
      });

      it('deleting any scalar entry removes only its lines', () => {
        for (const p of scalarPaths(text)) {
          const y = YamlFile.parse(text, name);
          const span = y.span(p)!;
          y.delete(p);
          expect(y.has(p)).toBe(false);
          const removed = removedLines(text, y.toString());
          // Emptying a map also turns its key's line into `key: {}`.
          const parentLine = p.length > 1 ? y.span(p.slice(0, -1))?.first : undefined;
          expect(removed.every((l) => (l >= span.first && l <= span.last) || l === parentLine), `${p.join('.')}: ${removed}`).toBe(true);
        }
      });
    });
  }
});

describe('YAML editor specifics', () => {
  const collector = corpus.find((c) => c.name === '01-seed-collector.yaml')!.text;

  it('creates missing maps with the file’s indentation and keeps comments above a deleted key', () => {
    const y = YamlFile.parse(corpus.find((c) => c.name === '16-indent-four.yaml')!.text);
    y.set(['exporters', 'otlp/tempo', 'tls', 'ca_file'], 'tls/tempo.crt');
    y.delete(['exporters', 'otlp/tempo', 'tls', 'insecure']);
    expect(y.toString()).toContain('        tls:\n            ca_file: tls/tempo.crt\n');
    const c = YamlFile.parse(corpus.find((f) => f.name === '03-comments-everywhere.yaml')!.text);
    c.delete(['exporters', 'otlp/tempo', 'tls', 'insecure']);
    expect(c.toString()).toContain('      # insecure below\n');
  });

  it('keeps untouched numbers, long lines and flow padding exactly', () => {
    for (const name of ['07-numbers-octal-exp.yaml', '08-long-lines.yaml', '09-flow-padding.yaml']) {
      const text = corpus.find((c) => c.name === name)!.text;
      const y = YamlFile.parse(text, name);
      const target = name.startsWith('07') ? ['distributor', 'receivers', 'otlp', 'protocols', 'grpc', 'endpoint'] : ['exporters', 'otlp/tempo', 'endpoint'];
      y.set(target, 'tempo.internal:4317');
      expect(removedLines(text, y.toString())).toHaveLength(1);
    }
  });

  it('edits the document that holds the path in a multi-document file', () => {
    const y = YamlFile.parse(corpus.find((c) => c.name === '10-multi-document.yaml')!.text);
    y.set(['exporters', 'otlp/tempo', 'endpoint'], 'localhost:4317');
    expect(y.toString()).toMatch(/^kind: note$/m);
    expect(y.get(['exporters', 'otlp/tempo', 'endpoint'])).toBe('localhost:4317');
  });

  it('quotes a new value only when YAML would read it as something else', () => {
    const y = YamlFile.parse(collector);
    y.set(['exporters', 'otlp/tempo', 'tls', 'server_name_override'], 'true');
    y.set(['exporters', 'otlp/tempo', 'tls', 'ca_file'], './tls/tempo.crt');
    expect(y.get(['exporters', 'otlp/tempo', 'tls', 'server_name_override'])).toBe('true');
    expect(y.toString()).toContain('      ca_file: ./tls/tempo.crt\n');
  });

  it.each([
    ['syntax error', 'a: [1\n', /bad\.yaml:2:1: YAML syntax error/],
    ['duplicate key', 'a: 1\nb: 2\na: 3\n', /bad\.yaml:3:1: duplicate key/],
  ])('refuses a %s with file:line:col', (_, text, message) => {
    expect(() => YamlFile.parse(text, 'bad.yaml')).toThrowError(message);
  });

  it('refuses an edit through an alias, naming where, and leaves the text as it was', () => {
    const text = corpus.find((c) => c.name === '04-anchors-aliases.yaml')!.text;
    const y = YamlFile.parse(text, 'a.yaml');
    let error: unknown;
    try {
      y.set(['exporters', 'otlp/a', 'tls', 'insecure'], false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^a\.yaml:11:10: exporters\.otlp\/a\.tls\.insecure goes through an alias \(\*tls\)/);
    expect(y.toString()).toBe(text);
  });
});
