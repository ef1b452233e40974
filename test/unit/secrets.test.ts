import { createPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/edit/diff.js';
import { Redactor, maskLines } from '../../src/edit/secrets.js';

describe('secret masking', () => {
  it('masks secret-looking keys, URL passwords and PEM bodies on both sides of a diff', () => {
    const before = [
      'REDIS_URL=redis://:s3cretpass@127.0.0.1:6379/',
      'API_TOKEN=tok_abcdef',
      'DB_PASSWORD="hunter22" # keep comment',
      'OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318',
      'TLS_KEY="-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      '-----END PRIVATE KEY-----"',
      '',
    ].join('\n');
    const after = before.replace('http://localhost:4318', 'https://localhost:4317').replace('tok_abcdef', 'tok_zzzzzz');
    const d = unifiedDiff('backend/.env', before, after);
    expect(d).toContain('-OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318');
    expect(d).toContain('+OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:4317');
    // A changed secret still shows as changed, but masked on both sides.
    expect(d).toContain('-API_TOKEN=***');
    expect(d).toContain('+API_TOKEN=***');
    expect(d).toContain('redis://:***@127.0.0.1:6379/');
    expect(d).toContain('DB_PASSWORD=*** # keep comment');
    for (const secret of ['s3cretpass', 'tok_abcdef', 'tok_zzzzzz', 'hunter22', 'MIIEvQ']) expect(d).not.toContain(secret);
  });

  it('numbers the hunks of a large file as the whole-file diff does (near the start, in the middle, at the end)', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `  item${i}: value${i}`);
    const before = lines.join('\n') + '\n';
    const edits: Array<(l: string[]) => void> = [
      (l) => (l[1] = '  item1: changed'),
      (l) => l.splice(2500, 1, '  item2500: changed', '  inserted: yes'),
      (l) => l.splice(4998, 1),
      (l) => l.push('  appended: yes'),
    ];
    const hunks = (d: string) => d.slice(d.indexOf('@@'));
    for (const edit of edits) {
      const edited = [...lines];
      edit(edited);
      const after = edited.join('\n') + '\n';
      expect(hunks(unifiedDiff('big.yaml', before, after))).toBe(hunks(createPatch('big.yaml', before, after, '', '', { context: 3 })));
    }
  });

  it('masks YAML headers and block-scalar secrets, but not paths to key files', () => {
    const lines = maskLines(['    headers:', '      authorization: Bearer abc123', '    tls:', '      key_file: ./tls/tempo.key', '      private_key: |', '        AAAA', '        BBBB', '    endpoint: x']);
    expect(lines).toEqual(['    headers:', '      authorization: ***', '    tls:', '      key_file: ./tls/tempo.key', '      private_key: |', '***', '***', '    endpoint: x']);
  });

  it('redacts collected secret values anywhere in free text', () => {
    const r = new Redactor().addValues({ REDIS_URL: 'redis://:s3cretpass@h:1/', OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer xyz123', ENABLE_AUTH: 'true' });
    expect(r.redact('connect failed: password s3cretpass rejected; header Authorization=Bearer xyz123; auth true')).toBe(
      'connect failed: password *** rejected; header ***; auth true',
    );
  });
});
