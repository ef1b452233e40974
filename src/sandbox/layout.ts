/**
 * Lays out the seed's broken stack (shared/reference/seed-stack) in a folder: the same
 * files, line for line, with the ports that are free on this machine and a fresh secret.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import type { BackendFlavour } from './backend.js';
import { makeSelfSignedCert, type CertOptions } from './certs.js';
import { freePort, portIsFree } from './net.js';

export interface DemoPorts {
  tempoHttp: number;
  tempoGrpc: number;
  tempoOtlp: number;
  collectorGrpc: number;
  collectorMetrics: number;
  backend: number;
}

/** The seed's ports: used when free. */
export const SEED_PORTS: DemoPorts = { tempoHttp: 3200, tempoGrpc: 9095, tempoOtlp: 4317, collectorGrpc: 4318, collectorMetrics: 8888, backend: 3010 };

/** The seed's ports where free; any other free port where not (or everywhere, for parallel tests). */
export async function choosePorts(preferSeed = true): Promise<DemoPorts> {
  const chosen = new Set<number>();
  const out = {} as DemoPorts;
  for (const [name, seed] of Object.entries(SEED_PORTS) as Array<[keyof DemoPorts, number]>) {
    let port = preferSeed && (await portIsFree(seed)) && (await portIsFree(seed, '127.0.0.2')) ? seed : await freePort();
    while (chosen.has(port)) port = await freePort();
    chosen.add(port);
    out[name] = port;
  }
  return out;
}

export interface LayoutOptions {
  dir: string;
  ports: DemoPorts;
  backend: BackendFlavour;
  /** tmux session for the profile's restarts; without it, process restarts by pidfile. */
  tmuxSession?: string;
  cert?: CertOptions;
}

export interface Layout {
  dir: string;
  profile: string;
  env: string;
  collectorConfig: string;
  tempoConfig: string;
  backendDir: string;
  /** Command lines as typed in each component's pane, relative to its cwd. */
  commands: { tempo: string; collector: string; backend: string };
  /** The secret-looking value in the backend's .env (tests check it is never printed). */
  secret: string;
}

// The components always run the built entry (this module may run from src/, dist/ or the bundle).
const mainJs = () => path.join(packageRoot(), 'dist', 'sandbox', 'main.js');

export function tempoYaml(p: DemoPorts): string {
  return `# Tempo for the local dev stack (seed scenario): OTLP gRPC on ${p.tempoOtlp} with TLS
server:
  http_listen_port: ${p.tempoHttp}
  grpc_listen_port: ${p.tempoGrpc}
  http_tls_config:
    cert_file: ./tls/tempo.crt
    key_file: ./tls/tempo.key

distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: "0.0.0.0:${p.tempoOtlp}"
          tls:
            cert_file: ./tls/tempo.crt
            key_file: ./tls/tempo.key

ingester:
  max_block_duration: 5m

compactor:
  compaction:
    block_retention: 1h

storage:
  trace:
    backend: local
    wal:
      path: ./data/wal
    local:
      path: ./data/blocks
`;
}

export function collectorYaml(p: DemoPorts): string {
  const telemetry = p.collectorMetrics === SEED_PORTS.collectorMetrics ? '' : `  telemetry:\n    metrics:\n      address: 127.0.0.1:${p.collectorMetrics}\n`;
  return `# OpenTelemetry Collector for the local dev stack
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:${p.collectorGrpc}

exporters:
  otlp/tempo:
    endpoint: localhost:${p.tempoGrpc}
    tls:
      insecure: true

service:
${telemetry}  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp/tempo]
`;
}

export function backendEnv(p: DemoPorts, secret: string): string {
  return `BACKEND_HOST=127.0.0.1
BACKEND_PORT=${p.backend}
RUST_LOG=info
REDIS_ENABLED=true
REDIS_URL=redis://:${secret}@127.0.0.1:6379/
#OpenTelemetry - Distributed Tracing via the collector
OTEL_TRACES_ENABLED=true
OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${p.collectorGrpc}
OTEL_EXPORTER_OTLP_PROTOCOL=grpc
OTEL_SERVICE_NAME=ag-backend
OTEL_SERVICE_VERSION=13.1.2
OTEL_BSP_SCHEDULE_DELAY=1000
`;
}

async function script(file: string, args: string): Promise<void> {
  await writeFile(file, `#!/bin/sh\n# trace-wizard sandbox stand-in\nexec "${process.execPath}" "${mainJs()}" ${args} "$@"\n`);
  await chmod(file, 0o755);
}

export async function layOut(opts: LayoutOptions): Promise<Layout> {
  const { dir, ports } = opts;
  const backendDir = path.join(dir, 'backend');
  await mkdir(path.join(dir, 'tls'), { recursive: true });
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'run'), { recursive: true });
  await mkdir(backendDir, { recursive: true });
  await makeSelfSignedCert(path.join(dir, 'tls', 'tempo'), opts.cert);
  const secret = `pw-${randomBytes(9).toString('base64url')}`;
  const files = {
    tempoConfig: path.join(dir, 'tempo.yaml'),
    collectorConfig: path.join(dir, 'otel-collector-config.yaml'),
    env: path.join(backendDir, '.env'),
    profile: path.join(dir, 'trace-wizard.yaml'),
  };
  await writeFile(files.tempoConfig, tempoYaml(ports));
  await writeFile(files.collectorConfig, collectorYaml(ports));
  await writeFile(files.env, backendEnv(ports, secret), { mode: 0o600 });
  await script(path.join(dir, 'bin', 'tempo'), 'tempo');
  await script(path.join(dir, 'bin', 'otelcol'), 'otelcol');
  let backendCommand: string;
  if (opts.backend === 'rust-like') {
    // Looks like a Rust project to language detection; the binary is our rust-like stand-in.
    await writeFile(path.join(backendDir, 'Cargo.toml'), '[package]\nname = "ag"\nversion = "13.1.2"\nedition = "2021"\n\n[dependencies]\nopentelemetry = "0.27"\nopentelemetry-otlp = { version = "0.27", features = ["grpc-tonic"] }\n');
    await mkdir(path.join(backendDir, 'target', 'release'), { recursive: true });
    await script(path.join(backendDir, 'target', 'release', 'ag'), 'backend rust-like');
    backendCommand = './target/release/ag';
  } else {
    await writeFile(path.join(backendDir, 'package.json'), JSON.stringify({ name: 'ag-backend', version: '13.1.2', private: true, dependencies: { '@opentelemetry/sdk-node': '^0.223.0' } }, null, 2) + '\n');
    await script(path.join(backendDir, 'ag'), 'backend node');
    backendCommand = './ag';
  }
  const commands = { tempo: './bin/tempo -config.file=tempo.yaml', collector: './bin/otelcol --config otel-collector-config.yaml', backend: backendCommand };
  const restart = (name: 'tempo' | 'collector' | 'backend', cwd?: string) =>
    opts.tmuxSession
      ? `{ tmux: "${opts.tmuxSession}:${name}", command: "${commands[name]}"${cwd ? `, cwd: ${cwd}` : ''} }`
      : `{ process: { pidfile: run/${name}.pid }, command: "${commands[name]}"${cwd ? `, cwd: ${cwd}` : ''} }`;
  await writeFile(
    files.profile,
    [
      '# trace-wizard stack profile for the demo stack (see the README for the format)',
      'backend:',
      '  env: backend/.env',
      `  restart: ${restart('backend', 'backend')}`,
      'collector:',
      '  config: otel-collector-config.yaml',
      `  restart: ${restart('collector')}`,
      'tempo:',
      '  config: tempo.yaml',
      `  api: https://localhost:${ports.tempoHttp}`,
      `  restart: ${restart('tempo')}`,
      '',
    ].join('\n'),
  );
  return { dir, ...files, backendDir, commands, secret };
}
