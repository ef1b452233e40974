import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { probeOtlpGrpc } from '../../src/probe/otlp-grpc.js';
import { freePort } from '../../src/sandbox/net.js';
import { encodeExportRequest } from '../../src/sandbox/otlp.js';
import { startCollector, startTempo } from '../helpers/sandbox.js';
import { cleanup } from '../helpers/tmp.js';

const timeoutMs = 1500;

describe('the OTLP/gRPC probe (Node HTTP/2, no grpc-js)', () => {
  it('sends what the OTLP definitions encode for an empty request: zero bytes of message', () => {
    expect(encodeExportRequest({ resourceSpans: [] })).toHaveLength(0);
  });

  it('gets OK from an OTLP receiver over TLS and in plaintext, and UNIMPLEMENTED from Tempo’s internal gRPC port', async () => {
    const t = await startTempo();
    const c = await startCollector(t.dir, `endpoint: localhost:${t.ports.otlp}\ntls:\n  ca_file: tls/tempo.crt`);
    expect(await probeOtlpGrpc('localhost', t.ports.otlp, { timeoutMs, tls: true })).toMatchObject({ ok: true, status: 'OK', code: 0 });
    expect(await probeOtlpGrpc('127.0.0.1', c.receiver, { timeoutMs, tls: false })).toMatchObject({ ok: true, status: 'OK' });
    expect(await probeOtlpGrpc('localhost', t.ports.grpc, { timeoutMs, tls: false })).toMatchObject({
      ok: false,
      status: 'UNIMPLEMENTED',
      message: '12 UNIMPLEMENTED: unknown service opentelemetry.proto.collector.trace.v1.TraceService',
    });
  });

  it('fails without OK on a plaintext call to the TLS receiver, an HTTP/1 port and a closed port', async () => {
    const t = await startTempo();
    const server = http.createServer((_, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup(() => new Promise((r) => server.close(r)));
    const closed = await freePort();
    const results = await Promise.all([
      probeOtlpGrpc('localhost', t.ports.otlp, { timeoutMs, tls: false }),
      probeOtlpGrpc('127.0.0.1', (server.address() as { port: number }).port, { timeoutMs, tls: false }),
      probeOtlpGrpc('127.0.0.1', closed, { timeoutMs, tls: false }),
    ]);
    for (const r of results) expect(r.ok).toBe(false);
    for (const r of results) expect(r.status).not.toBe('UNIMPLEMENTED');
    expect(results[2]).toMatchObject({ status: 'UNAVAILABLE', message: '14 UNAVAILABLE: connection failed: connection refused' });
  });
});
