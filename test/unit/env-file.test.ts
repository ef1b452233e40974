import dotenv from 'dotenv';
import { diffArrays } from 'diff';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvFile } from '../../src/edit/env-file.js';
import { UserError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/tmp.js';

const dir = path.join(FIXTURES, 'env');
const corpus = readdirSync(dir).map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));

/** Lines (0-based, of the old text) that an edit removed or changed, and how many it added. */
function changedLines(before: string, after: string): { removed: number[]; added: number } {
  const split = (t: string) => t.replace(/^\uFEFF/, '').split(/(?<=\n)/);
  const removed: number[] = [];
  let added = 0;
  let i = 0;
  for (const part of diffArrays(split(before), split(after))) {
    if (part.removed) for (let k = 0; k < part.value.length; k++) removed.push(i++);
    else if (part.added) added += part.value.length;
    else i += part.value.length;
  }
  return { removed, added };
}

describe('.env editor on a corpus', () => {
  it('has at least 20 files, the seed among them', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    expect(corpus.some((c) => c.text.includes('OTEL_SERVICE_NAME=ag-backend'))).toBe(true);
  });

  for (const { name, text } of corpus) {
    describe(name, () => {
      it('round-trips byte for byte and reads like dotenv', () => {
        const env = EnvFile.parse(text, name);
        expect(Buffer.from(env.toString())).toEqual(Buffer.from(text));
        expect(env.values()).toEqual(dotenv.parse(text));
      });

      it('changes only the lines of the key it sets, for every key', () => {
        for (const key of Object.keys(dotenv.parse(text))) {
          const env = EnvFile.parse(text, name);
          const entry = env.entry(key)!;
          env.set(key, 'https://localhost:4317');
          const after = env.toString();
          expect(dotenv.parse(after)).toEqual({ ...dotenv.parse(text), [key]: 'https://localhost:4317' });
          const { removed } = changedLines(text, after);
          const own = Array.from({ length: entry.lastLine - entry.firstLine + 1 }, (_, k) => entry.firstLine + k);
          expect(removed.every((l) => own.includes(l)), `${key}: changed lines ${removed} outside ${own}`).toBe(true);
          expect(after.startsWith('\uFEFF')).toBe(text.startsWith('\uFEFF'));
        }
      });

      it('adds a new key as one line and keeps the rest', () => {
        const env = EnvFile.parse(text, name);
        env.set('OTEL_EXPORTER_OTLP_CERTIFICATE', '/certs/tempo ca.pem');
        const after = env.toString();
        expect(dotenv.parse(after).OTEL_EXPORTER_OTLP_CERTIFICATE).toBe('/certs/tempo ca.pem');
        const { removed, added } = changedLines(text, after);
        // At most the old last line gains a newline when the file had none.
        expect(removed.length).toBeLessThanOrEqual(1);
        expect(added).toBeLessThanOrEqual(2);
        expect(after.includes('\r\n')).toBe(text.includes('\r\n'));
      });

      it('deletes every occurrence of a key and nothing else', () => {
        for (const key of Object.keys(dotenv.parse(text))) {
          const env = EnvFile.parse(text, name);
          const own = [...env.shadowed(key), env.entry(key)!].flatMap((e) => Array.from({ length: e.lastLine - e.firstLine + 1 }, (_, k) => e.firstLine + k));
          env.delete(key);
          const after = env.toString();
          const expected = { ...dotenv.parse(text) };
          delete expected[key];
          expect(dotenv.parse(after)).toEqual(expected);
          const { removed, added } = changedLines(text, after);
          expect(removed.filter((l) => !own.includes(l)).length).toBeLessThanOrEqual(1); // the new last line may lose its newline
          expect(added).toBeLessThanOrEqual(1);
        }
      });
    });
  }
});

describe('.env editor specifics', () => {
  it('edits the last of duplicate keys, which is the one dotenv uses, and reports the others', () => {
    const env = EnvFile.parse('A=1\nB=2\nA=3\n');
    expect(env.shadowed('A').map((e) => e.firstLine + 1)).toEqual([1]);
    env.set('A', '4');
    expect(env.toString()).toBe('A=1\nB=2\nA=4\n');
  });

  it('keeps the quoting style and the inline comment', () => {
    const env = EnvFile.parse("export OTEL_EXPORTER_OTLP_ENDPOINT='http://x:1' # keep me\n");
    env.set('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://localhost:4317');
    expect(env.toString()).toBe("export OTEL_EXPORTER_OTLP_ENDPOINT='https://localhost:4317' # keep me\n");
  });

  it('quotes a value only when dotenv would misread it unquoted', () => {
    const env = EnvFile.parse('A=1\n');
    env.set('B', 'has # hash');
    env.set('C', "it's");
    env.set('D', 'both \' and "');
    expect(dotenv.parse(env.toString())).toMatchObject({ B: 'has # hash', C: "it's", D: 'both \' and "' });
    expect(env.toString()).toContain("B='has # hash'");
  });

  it('refuses an unterminated quote with file:line:col', () => {
    expect(() => EnvFile.parse('A=1\nB="oops\nC=3\n', 'backend/.env')).toThrowError(/backend\/\.env:2:3: unterminated " quote in the value of B/);
    try {
      EnvFile.parse('B="oops\n', 'x');
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).exitCode).toBe(2);
    }
  });

  it('refuses an edit that would not read back as intended', () => {
    const env = EnvFile.parse('A=1\n');
    expect(() => env.set('A', 'x\'y"z`\n\\n')).toThrowError(/would not read back as intended/);
    expect(env.toString()).toBe('A=1\n');
  });
});
