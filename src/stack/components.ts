/**
 * What each component's file says, derived once and shared by every step: the
 * backend's OTLP settings, the collector's receivers and exporters, Tempo's receivers
 * and ports. Every value carries where it came from (file:line) or that it is a default.
 */
import path from 'node:path';
import type { EnvFile } from '../edit/env-file.js';
import type { YamlFile } from '../edit/yaml-file.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';

export interface Origin {
  file?: string;
  line?: number;
  /** 'default' when no file sets it (the component's documented default). */
  kind: 'file' | 'default' | 'profile' | 'flag';
}

export interface Sourced<T> {
  value: T;
  origin: Origin;
}

function fromFile<T>(value: T, file: string, line: number | undefined): Sourced<T> {
  return { value, origin: { kind: 'file', file, line } };
}
function byDefault<T>(value: T): Sourced<T> {
  return { value, origin: { kind: 'default' } };
}

// ---- backend ------------------------------------------------------------------

export interface BackendSettings {
  /** Endpoint for traces: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint?: Sourced<string>;
  endpointKey?: string;
  protocol?: Sourced<string>;
  protocolKey?: string;
  insecure?: Sourced<string>;
  certificate?: Sourced<string>;
  serviceName?: Sourced<string>;
  port?: Sourced<number>;
}

export function backendSettings(env: EnvFile, file: string): BackendSettings {
  const pick = (...keys: string[]): { key: string; s: Sourced<string> } | undefined => {
    for (const key of keys) {
      const v = env.get(key);
      if (v !== undefined && v !== '') return { key, s: fromFile(v, file, env.lineOf(key)) };
    }
    return undefined;
  };
  const endpoint = pick('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const protocol = pick('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const port = pick('BACKEND_PORT', 'PORT');
  return {
    endpoint: endpoint?.s,
    endpointKey: endpoint?.key,
    protocol: protocol?.s,
    protocolKey: protocol?.key,
    insecure: pick('OTEL_EXPORTER_OTLP_TRACES_INSECURE', 'OTEL_EXPORTER_OTLP_INSECURE')?.s,
    certificate: pick('OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE')?.s,
    serviceName: pick('OTEL_SERVICE_NAME')?.s,
    port: port && /^\d+$/.test(port.s.value) ? { value: Number(port.s.value), origin: port.s.origin } : undefined,
  };
}

// ---- receivers (collector and Tempo share the OTLP receiver's shape) ------------

export interface Receiver {
  protocol: 'grpc' | 'http';
  endpoint: Sourced<Endpoint>;
  /** The receiver serves TLS (a `tls` block with a certificate). */
  tls: boolean;
  certFile?: Sourced<string>;
  keyFile?: Sourced<string>;
}

function otlpReceivers(yaml: YamlFile, file: string, base: string[], defaults: { grpc: string; http: string }): Receiver[] {
  const out: Receiver[] = [];
  for (const protocol of ['grpc', 'http'] as const) {
    const p = [...base, 'protocols', protocol];
    if (!yaml.has(p)) continue;
    const raw = yaml.get([...p, 'endpoint']);
    const written = typeof raw === 'string' || typeof raw === 'number';
    const ep = parseEndpoint(written ? String(raw) : defaults[protocol]);
    if (!ep) continue;
    const cert = yaml.get([...p, 'tls', 'cert_file']);
    const key = yaml.get([...p, 'tls', 'key_file']);
    const dir = path.dirname(file);
    out.push({
      protocol,
      endpoint: written ? fromFile(ep, file, yaml.lineOf([...p, 'endpoint'])) : byDefault(ep),
      tls: yaml.has([...p, 'tls']) && typeof cert === 'string',
      certFile: typeof cert === 'string' ? fromFile(path.resolve(dir, cert), file, yaml.lineOf([...p, 'tls', 'cert_file'])) : undefined,
      keyFile: typeof key === 'string' ? fromFile(path.resolve(dir, key), file, yaml.lineOf([...p, 'tls', 'key_file'])) : undefined,
    });
  }
  return out;
}

// ---- collector ----------------------------------------------------------------

export type ExporterKind = 'otlp' | 'otlphttp';

export interface Exporter {
  /** Its id in the config, e.g. `otlp/tempo`. */
  name: string;
  kind: ExporterKind;
  line?: number;
  endpoint?: Sourced<string>;
  insecure?: Sourced<boolean>;
  insecureSkipVerify?: Sourced<boolean>;
  caFile?: Sourced<string>;
  serverNameOverride?: Sourced<string>;
  /** Listed in service.pipelines.traces*.exporters. */
  inTracesPipeline: boolean;
}

export interface CollectorSettings {
  receivers: Receiver[];
  exporters: Exporter[];
  metricsAddress: Sourced<string>;
}

/** `otlp`, `otlp/<name>`, newer `otlp_grpc[/<name>]`; `otlphttp`, `otlp_http` for OTLP/HTTP. */
export function exporterKind(name: string): ExporterKind | undefined {
  const type = name.split('/')[0];
  if (type === 'otlp' || type === 'otlp_grpc') return 'otlp';
  if (type === 'otlphttp' || type === 'otlp_http') return 'otlphttp';
  return undefined;
}

export function collectorSettings(yaml: YamlFile, file: string): CollectorSettings {
  const receivers = otlpReceivers(yaml, file, ['receivers', 'otlp'], { grpc: 'localhost:4317', http: 'localhost:4318' });
  const pipelines = (yaml.get(['service', 'pipelines']) ?? {}) as Record<string, { exporters?: unknown }>;
  const traceExporters = new Set(
    Object.entries(pipelines)
      .filter(([name]) => name === 'traces' || name.startsWith('traces/'))
      .flatMap(([, p]) => (Array.isArray(p?.exporters) ? p.exporters.map(String) : [])),
  );
  const exporters: Exporter[] = [];
  const all = (yaml.get(['exporters']) ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(all)) {
    const kind = exporterKind(name);
    if (!kind) continue;
    const at = (...k: string[]) => ['exporters', name, ...k];
    const s = <T>(p: string[], check: (v: unknown) => v is T): Sourced<T> | undefined => {
      const v = yaml.get(p);
      return check(v) ? fromFile(v, file, yaml.lineOf(p)) : undefined;
    };
    const isStr = (v: unknown): v is string => typeof v === 'string';
    const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
    exporters.push({
      name,
      kind,
      line: yaml.lineOf(at()),
      endpoint: s(at('endpoint'), isStr),
      insecure: s(at('tls', 'insecure'), isBool),
      insecureSkipVerify: s(at('tls', 'insecure_skip_verify'), isBool),
      caFile: s(at('tls', 'ca_file'), isStr),
      serverNameOverride: s(at('tls', 'server_name_override'), isStr),
      inTracesPipeline: traceExporters.has(name),
    });
  }
  const address = yaml.get(['service', 'telemetry', 'metrics', 'address']);
  return {
    receivers,
    exporters,
    metricsAddress:
      typeof address === 'string'
        ? fromFile(address, file, yaml.lineOf(['service', 'telemetry', 'metrics', 'address']))
        : byDefault('127.0.0.1:8888'),
  };
}

// ---- Tempo --------------------------------------------------------------------

export interface TempoSettings {
  receivers: Receiver[];
  httpPort: Sourced<number>;
  /** Tempo's internal gRPC server (query-frontend, workers): not an OTLP receiver. */
  grpcPort: Sourced<number>;
  httpTls: boolean;
  api: Sourced<string>;
}

export function tempoSettings(yaml: YamlFile, file: string, apiFromProfile?: { url: string; file: string; line: number }): TempoSettings {
  const port = (key: string, fallback: number): Sourced<number> => {
    const v = yaml.get(['server', key]);
    return typeof v === 'number' ? fromFile(v, file, yaml.lineOf(['server', key])) : byDefault(fallback);
  };
  const httpPort = port('http_listen_port', 3200);
  const httpTls = typeof yaml.get(['server', 'http_tls_config', 'cert_file']) === 'string';
  // Tempo 2.7+ binds its receivers to localhost unless told otherwise.
  const receivers = otlpReceivers(yaml, file, ['distributor', 'receivers', 'otlp'], { grpc: 'localhost:4317', http: 'localhost:4318' });
  const api: Sourced<string> = apiFromProfile
    ? { value: apiFromProfile.url.replace(/\/$/, ''), origin: { kind: 'profile', file: apiFromProfile.file, line: apiFromProfile.line } }
    : { value: `${httpTls ? 'https' : 'http'}://localhost:${httpPort.value}`, origin: httpPort.origin };
  return { receivers, httpPort, grpcPort: port('grpc_listen_port', 9095), httpTls, api };
}
