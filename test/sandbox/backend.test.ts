import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../src/sandbox/net.js';
import { apiGet, eventually, startTempo, type TempoUnderTest } from '../helpers/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const MAIN = path.resolve(import.meta.dirname, '..', '..', 'dist', 'sandbox', 'main.js');

/** Runs a sample backend as its own process, configured only by the .env written for it. */
async function runBackend(flavour: 'node' | 'rust-like', env: string): Promise<{ output: () => string; child: ResultPromise }> {
  const dir = tempDir('tw-backend-');
  const port = await freePort();
  writeFileSync(path.join(dir, '.env'), `BACKEND_HOST=127.0.0.1\nBACKEND_PORT=${port}\nOTEL_SERVICE_NAME=ag-backend\nOTEL_BSP_SCHEDULE_DELAY=200\n${env}`);
  // A clean environment: dotenv never overrides a variable that is already set.
  const child = execa('node', [MAIN, 'backend', flavour], { cwd: dir, reject: false, all: true, buffer: false, extendEnv: false, env: { PATH: process.env.PATH ?? '' } });
  let out = '';
  child.all!.on('data', (d: Buffer) => (out += d.toString()));
  onTestFinished(async () => {
    child.kill('SIGTERM');
    await child;
  });
  const up = await eventually(() => (out.includes('listening on') ? true : undefined), 15_000);
  expect(up, out).toBe(true);
  return { output: () => out, child };
}

async function backendTraces(t: TempoUnderTest): Promise<number> {
  const r = await apiGet(`${t.api}/api/search?tags=${encodeURIComponent('service.name=ag-backend')}`, t.ca);
  return JSON.parse(r.body).traces.length;
}

describe('sample backends honour the OTEL_EXPORTER_OTLP_* variables like the real SDKs', () => {
  it('Node SDK: with the endpoint over TLS and the certificate trusted, its spans reach Tempo', async () => {
    const t = await startTempo();
    await runBackend('node', `OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:${t.ports.otlp}\nOTEL_EXPORTER_OTLP_PROTOCOL=grpc\nOTEL_EXPORTER_OTLP_CERTIFICATE=${t.dir}/tls/tempo.crt\n`);
    expect(await eventually(async () => ((await backendTraces(t)) > 0 ? true : undefined))).toBe(true);
  });

  it('Node SDK: OTEL_EXPORTER_OTLP_INSECURE=true does not skip verification of an https endpoint', async () => {
    const t = await startTempo();
    const b = await runBackend('node', `OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:${t.ports.otlp}\nOTEL_EXPORTER_OTLP_PROTOCOL=grpc\nOTEL_EXPORTER_OTLP_INSECURE=true\n`);
    expect(await eventually(() => (b.output().includes('self-signed certificate') ? true : undefined))).toBe(true);
    expect(await backendTraces(t)).toBe(0);
  });

  it('Node SDK: without OTEL_EXPORTER_OTLP_PROTOCOL it speaks http/protobuf, which a gRPC port does not take', async () => {
    const t = await startTempo();
    const b = await runBackend('node', `OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:${t.ports.otlp}\nOTEL_EXPORTER_OTLP_CERTIFICATE=${t.dir}/tls/tempo.crt\nOTEL_EXPORTER_OTLP_TIMEOUT=1500\n`);
    // The HTTP/1 request reaches the gRPC server, which refuses it.
    expect(await eventually(() => (b.output().includes('Missing ALPN Protocol') ? true : undefined), 20_000)).toBe(true);
    expect(b.output()).toContain('(http/protobuf)');
    expect(await backendTraces(t)).toBe(0);
  });

  it('Rust-like: ignores OTEL_EXPORTER_OTLP_CERTIFICATE, so TLS to the self-signed Tempo fails', async () => {
    const t = await startTempo();
    const b = await runBackend('rust-like', `OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:${t.ports.otlp}\nOTEL_EXPORTER_OTLP_CERTIFICATE=${t.dir}/tls/tempo.crt\n`);
    expect(await eventually(() => (b.output().includes('self-signed certificate') ? true : undefined))).toBe(true);
    expect(await backendTraces(t)).toBe(0);
  });

  it('Rust-like: delivers over plaintext gRPC to a plaintext receiver (through a collector)', async () => {
    const t = await startTempo();
    const { startCollector } = await import('../helpers/sandbox.js');
    const c = await startCollector(t.dir, `endpoint: localhost:${t.ports.otlp}\ntls:\n  ca_file: tls/tempo.crt`);
    await runBackend('rust-like', `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${c.receiver}\n`);
    expect(await eventually(async () => ((await backendTraces(t)) > 0 ? true : undefined))).toBe(true);
  });
});
