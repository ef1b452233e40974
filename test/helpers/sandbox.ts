/**
 * Sandbox pieces for tests: a Tempo replica on free ports with a fresh certificate, and a
 * collector replica in front of it, both in this process and stopped when the test ends.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CertOptions } from '../../src/sandbox/certs.js';
import { makeSelfSignedCert } from '../../src/sandbox/certs.js';
import { CollectorReplica } from '../../src/sandbox/collector.js';
import { freePort } from '../../src/sandbox/net.js';
import { TempoReplica } from '../../src/sandbox/tempo.js';
import { cleanup, tempDir } from './tmp.js';

export interface TempoUnderTest {
  dir: string;
  tempo: TempoReplica;
  logs: string[];
  ca: Buffer;
  ports: { http: number; grpc: number; otlp: number; otlpHttp?: number };
  api: string;
}

export async function startTempo(options: { readyDelayMs?: number; version?: string; otlpHttp?: boolean; cert?: CertOptions; apiTls?: boolean } = {}): Promise<TempoUnderTest> {
  const dir = tempDir('tw-tempo-');
  mkdirSync(path.join(dir, 'tls'));
  await makeSelfSignedCert(path.join(dir, 'tls', 'tempo'), options.cert);
  // A free port can be taken by a parallel test before Tempo binds it: then new ports, up to three times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTempoIn(dir, options);
    } catch (e) {
      if (attempt === 3 || !/EADDRINUSE/.test(String(e))) throw e;
    }
  }
}

async function startTempoIn(dir: string, options: Parameters<typeof startTempo>[0] = {}): Promise<TempoUnderTest> {
  const ports = { http: await freePort(), grpc: await freePort(), otlp: await freePort(), otlpHttp: options.otlpHttp ? await freePort() : undefined };
  const apiTls = options.apiTls ?? true;
  writeFileSync(
    path.join(dir, 'tempo.yaml'),
    [
      'server:',
      `  http_listen_port: ${ports.http}`,
      `  grpc_listen_port: ${ports.grpc}`,
      ...(apiTls ? ['  http_tls_config:', '    cert_file: ./tls/tempo.crt', '    key_file: ./tls/tempo.key'] : []),
      'distributor:',
      '  receivers:',
      '    otlp:',
      '      protocols:',
      '        grpc:',
      `          endpoint: "0.0.0.0:${ports.otlp}"`,
      '          tls:',
      '            cert_file: ./tls/tempo.crt',
      '            key_file: ./tls/tempo.key',
      ...(ports.otlpHttp ? ['        http:', `          endpoint: "127.0.0.1:${ports.otlpHttp}"`] : []),
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  const tempo = await TempoReplica.start({ configPath: path.join(dir, 'tempo.yaml'), readyDelayMs: options.readyDelayMs ?? 0, version: options.version, log: (l) => logs.push(l) });
  cleanup(() => tempo.stop());
  return { dir, tempo, logs, ca: readFileSync(path.join(dir, 'tls', 'tempo.crt')), ports, api: `${apiTls ? 'https' : 'http'}://localhost:${ports.http}` };
}

export interface CollectorUnderTest {
  collector: CollectorReplica;
  logs: string[];
  receiver: number;
  metrics: number;
}

/** A collector whose only exporter is `otlp/tempo` with the given YAML body (indented 4). */
export async function startCollector(cwd: string, exporterBody: string, exporterName = 'otlp/tempo'): Promise<CollectorUnderTest> {
  const receiver = await freePort();
  const metrics = await freePort();
  const file = path.join(cwd, `collector-${receiver}.yaml`);
  writeFileSync(
    file,
    `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:${receiver}\n\nexporters:\n  ${exporterName}:\n    ${exporterBody.trim().split('\n').join('\n    ')}\n\nservice:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:${metrics}\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [${exporterName}]\n`,
  );
  const logs: string[] = [];
  const collector = await CollectorReplica.start({ configPath: file, cwd, log: (l) => logs.push(l) });
  cleanup(() => collector.stop());
  return { collector, logs, receiver, metrics };
}

/** Trusting a specific CA for fetches to the replica's HTTPS API. */
export async function apiGet(url: string, ca?: Buffer): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const { request } = url.startsWith('https') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers as Record<string, string> }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls until `check` returns a value, every 25 ms, up to `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 25));
  }
}
