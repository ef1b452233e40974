import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendSpan } from '../../src/otlp/send-span.js';
import { apiGet, eventually, startCollector, startTempo } from '../helpers/sandbox.js';
import { SEED } from '../helpers/tmp.js';

const REF = path.resolve(SEED, '..', 'otelcol-0.116');
const refLine = (f: string) => readFileSync(path.join(REF, f), 'utf8').trim();

/** Our log line with the timestamp dropped and our free ports written as the reference's. */
function normalise(line: string, ports: Record<number, number>): string {
  let out = line.replace(/^\S+Z\t/, '');
  for (const [ours, theirs] of Object.entries(ports)) out = out.split(`:${ours}"`).join(`:${theirs}"`);
  return out;
}

describe('collector replica: each exporter setting of reference/otelcol-0.116 gives the reference outcome', () => {
  const cases = [
    ['wrongport-insecure', (p: { grpc: number; otlp: number }) => `endpoint: localhost:${p.grpc}\ntls:\n  insecure: true`],
    ['plaintext-to-tls', (p: { grpc: number; otlp: number }) => `endpoint: localhost:${p.otlp}\ntls:\n  insecure: true`],
    ['tls-default-untrusted', (p: { grpc: number; otlp: number }) => `endpoint: localhost:${p.otlp}`],
    ['http-scheme', (p: { grpc: number; otlp: number }) => `endpoint: http://localhost:${p.otlp}`],
    ['ca-wrong-name', (p: { grpc: number; otlp: number }) => `endpoint: 127.0.0.2:${p.otlp}\ntls:\n  ca_file: tls/tempo.crt`],
  ] as const;

  for (const [name, exporter] of cases) {
    it(`${name}: logs the reference line, counts the failure, delivers nothing`, async () => {
      const t = await startTempo();
      const c = await startCollector(t.dir, exporter(t.ports));
      const r = await sendSpan({ url: `http://localhost:${c.receiver}` });
      expect(r.ok).toBe(true); // the collector acks at once, as the real one's queue does
      const line = await eventually(() => c.logs.find((l) => /\t(warn|error)\tgrpc|queue_sender/.test(l)));
      expect(line, c.logs.join('\n')).toBeDefined();
      expect(normalise(line!, { [t.ports.otlp]: 4317, [t.ports.grpc]: 9095 })).toBe(refLine(`log-${name}.txt`));
      const metrics = (await apiGet(`http://127.0.0.1:${c.metrics}/metrics`)).body;
      expect(metrics).toMatch(/otelcol_exporter_send_failed_spans\{exporter="otlp\/tempo",[^}]*\} 1/);
      expect(metrics).toMatch(/otelcol_exporter_sent_spans\{exporter="otlp\/tempo",[^}]*\} 0/);
      expect(t.tempo.counters.spansReceived).toBe(0);
    });
  }

  it.each([
    ['tls.insecure_skip_verify: true', 'tls:\n  insecure_skip_verify: true'],
    ['tls.ca_file pointing at Tempo’s certificate', 'tls:\n  ca_file: tls/tempo.crt'],
  ])('%s delivers the span to Tempo', async (_, tls) => {
    const t = await startTempo();
    const c = await startCollector(t.dir, `endpoint: localhost:${t.ports.otlp}\n${tls}`);
    const r = await sendSpan({ url: `http://localhost:${c.receiver}` });
    const found = await eventually(async () => ((await apiGet(`${t.api}/api/traces/${r.traceId}`, t.ca)).status === 200 ? true : undefined));
    expect(found).toBe(true);
    const metrics = (await apiGet(`http://127.0.0.1:${c.metrics}/metrics`)).body;
    expect(metrics).toMatch(/otelcol_exporter_sent_spans\{exporter="otlp\/tempo",[^}]*\} 1/);
    expect(metrics).toMatch(/otelcol_receiver_accepted_spans\{receiver="otlp",[^}]*transport="grpc"\} 1/);
  });

  it('server_name_override lets a dial to 127.0.0.2 verify against the certificate’s name', async () => {
    const t = await startTempo();
    const c = await startCollector(t.dir, `endpoint: 127.0.0.2:${t.ports.otlp}\ntls:\n  ca_file: tls/tempo.crt\n  server_name_override: localhost`);
    const r = await sendSpan({ url: `http://localhost:${c.receiver}` });
    expect(await eventually(async () => ((await apiGet(`${t.api}/api/traces/${r.traceId}`, t.ca)).status === 200 ? true : undefined))).toBe(true);
  });

  it('accepts the newer type names and an otlphttp exporter', async () => {
    const t = await startTempo({ otlpHttp: true });
    const grpcType = await startCollector(t.dir, `endpoint: localhost:${t.ports.otlp}\ntls:\n  ca_file: tls/tempo.crt`, 'otlp_grpc/tempo');
    const a = await sendSpan({ url: `http://localhost:${grpcType.receiver}` });
    const http = await startCollector(t.dir, `endpoint: http://127.0.0.1:${t.ports.otlpHttp}`, 'otlphttp/tempo');
    const b = await sendSpan({ url: `http://localhost:${http.receiver}` });
    for (const id of [a.traceId, b.traceId]) {
      expect(await eventually(async () => ((await apiGet(`${t.api}/api/traces/${id}`, t.ca)).status === 200 ? true : undefined))).toBe(true);
    }
  });

  it('warns about keys it does not implement instead of crashing', async () => {
    const t = await startTempo();
    const c = await startCollector(t.dir, `endpoint: localhost:${t.ports.otlp}\ncompression: gzip\nsending_queue:\n  enabled: true\ntls:\n  ca_file: tls/tempo.crt\n  min_version: "1.3"`);
    expect(c.logs.filter((l) => l.includes('\twarn\tsandbox\t')).map((l) => l.split('\t').at(-1))).toEqual([
      'exporter otlp/tempo: key compression (not implemented by the trace-wizard sandbox; ignored)',
      'exporter otlp/tempo: key sending_queue (not implemented by the trace-wizard sandbox; ignored)',
      'exporter otlp/tempo: key tls.min_version (not implemented by the trace-wizard sandbox; ignored)',
    ]);
    const r = await sendSpan({ url: `http://localhost:${c.receiver}` });
    expect(await eventually(async () => ((await apiGet(`${t.api}/api/traces/${r.traceId}`, t.ca)).status === 200 ? true : undefined))).toBe(true);
  });
});
