/**
 * A local stand-in for Grafana Tempo 2.7.2, reading a real-format tempo.yaml:
 * - OTLP/gRPC (and OTLP/HTTP when configured) receivers, with TLS when configured;
 * - the internal gRPC server on `server.grpc_listen_port`, which answers OTLP calls with
 *   UNIMPLEMENTED "unknown service …TraceService", exactly like the real 9095;
 * - the HTTP(S) API: /ready (503 with the real body while starting), /metrics,
 *   /api/traces/<id>, /api/v2/traces/<id>, /api/search, /api/status/buildinfo.
 */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { YamlFile } from '../edit/yaml-file.js';
import { tempoSettings, type TempoSettings } from '../stack/components.js';
import { TRACE_SERVICE, spanCount, traceService, type ExportRequest } from './otlp.js';
import { bindGrpc, loopbackHosts, otlpHttpHandler, serveHttp, serveOtlpGrpc, type TlsPair } from './net.js';
import { renderFamilies, type Family } from './prometheus.js';
import { TraceStore, parseServiceQuery, parseServiceTag } from './trace-store.js';

export const READY_BODY = 'Ingester not ready: ingester check ready failed: waiting for 15s after being ready\n';

export interface TempoReplicaOptions {
  configPath: string;
  /** How long /ready answers 503 after start (real Tempo: 15–20 s). */
  readyDelayMs?: number;
  /** Reported by /api/status/buildinfo; 3.x switches the metric names. */
  version?: string;
  log?: (line: string) => void;
}

interface Counters {
  spansReceived: number;
  accepted: Record<'grpc' | 'http', number>;
  tracesCreated: number;
}

export class TempoReplica {
  readonly store = new TraceStore();
  readonly counters: Counters = { spansReceived: 0, accepted: { grpc: 0, http: 0 }, tracesCreated: 0 };
  private readonly startedAt = Date.now();
  private readonly closers: Array<() => Promise<void>> = [];
  readonly settings: TempoSettings;
  private readonly configDir: string;
  private readonly yaml: YamlFile;

  private constructor(private readonly opts: Required<Omit<TempoReplicaOptions, 'configPath'>> & { configPath: string }) {
    const text = readFileSync(opts.configPath, 'utf8');
    this.yaml = YamlFile.parse(text, opts.configPath);
    this.settings = tempoSettings(this.yaml, opts.configPath);
    this.configDir = path.dirname(path.resolve(opts.configPath));
  }

  static async start(options: TempoReplicaOptions): Promise<TempoReplica> {
    const t = new TempoReplica({
      configPath: options.configPath,
      readyDelayMs: options.readyDelayMs ?? 0,
      version: options.version ?? '2.7.2',
      log: options.log ?? ((l) => process.stdout.write(l + '\n')),
    });
    try {
      await t.listen();
    } catch (e) {
      await t.stop();
      throw e;
    }
    t.opts.log(`level=info msg="Tempo started" version=${t.opts.version} http=${t.settings.httpPort.value} grpc=${t.settings.grpcPort.value}`);
    return t;
  }

  get ready(): boolean {
    return Date.now() - this.startedAt >= this.opts.readyDelayMs;
  }

  async stop(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((c) => c().catch(() => undefined)));
  }

  // ---- listeners -------------------------------------------------------------

  private async listen(): Promise<void> {
    for (const r of this.settings.receivers) {
      const ep = r.endpoint.value;
      const tls = r.tls ? { cert: readFileSync(r.certFile!.value), key: readFileSync(r.keyFile!.value) } : undefined;
      for (const host of loopbackHosts(ep.host)) {
        if (r.protocol === 'grpc') this.closers.push(await serveOtlpGrpc(host, ep.port, tls, (req) => this.ingest(req, 'grpc'), this.opts.log));
        else await this.httpServer(host, ep.port, tls, otlpHttpHandler((req) => this.ingest(req, 'http')));
      }
    }
    await this.internalGrpc(this.settings.grpcPort.value);
    const cert = this.yaml.get(['server', 'http_tls_config', 'cert_file']);
    const key = this.yaml.get(['server', 'http_tls_config', 'key_file']);
    const apiTls = typeof cert === 'string' && typeof key === 'string' ? { cert: readFileSync(this.resolve(cert)), key: readFileSync(this.resolve(key)) } : undefined;
    const apiHost = this.yaml.get(['server', 'http_listen_address']);
    for (const host of loopbackHosts(typeof apiHost === 'string' ? apiHost : '0.0.0.0')) {
      await this.httpServer(host, this.settings.httpPort.value, apiTls, (req, res) => this.api(req, res));
    }
  }

  private resolve(p: string): string {
    return path.resolve(this.configDir, p);
  }

  /** Tempo's own gRPC server (query-frontend, workers): reachable, but no OTLP receiver. */
  private async internalGrpc(port: number): Promise<void> {
    const server = new grpc.Server();
    server.addService(traceService(), {
      Export: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown service ${TRACE_SERVICE}` }),
    });
    await bindGrpc(server, '127.0.0.1', port, grpc.ServerCredentials.createInsecure());
    this.closers.push(() => new Promise((r) => server.tryShutdown(() => r())));
  }

  private async httpServer(host: string, port: number, tls: TlsPair | undefined, handler: http.RequestListener): Promise<void> {
    this.closers.push(await serveHttp(host, port, tls, handler, this.opts.log));
  }

  private ingest(req: ExportRequest, transport: 'grpc' | 'http'): void {
    const n = spanCount(req);
    const { newTraces } = this.store.add(req);
    this.counters.spansReceived += n;
    this.counters.accepted[transport] += n;
    this.counters.tracesCreated += newTraces;
  }

  // ---- HTTP API ----------------------------------------------------------------

  private api(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://tempo');
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, body === '' ? {} : { 'content-type': type }).end(body);
    };
    const json = (body: unknown) => send(200, JSON.stringify(body), 'application/json');
    const p = url.pathname;
    if (p === '/ready') return this.ready ? send(200, 'ready\n') : send(503, READY_BODY);
    if (p === '/metrics') return send(200, this.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    if (p === '/api/status/buildinfo') {
      return json({ version: this.opts.version, revision: `v${this.opts.version}`, branch: 'HEAD', buildUser: '', buildDate: '', goVersion: 'go1.23.5' });
    }
    const byId = /^\/api(\/v2)?\/traces\/([^/]+)$/.exec(p);
    if (byId) {
      const t = this.store.find(byId[2]);
      if (!t) return send(404, '');
      return json(byId[1] ? this.store.v2(t) : this.store.v1(t));
    }
    if (p === '/api/search') {
      const q = url.searchParams.get('q');
      const tags = url.searchParams.get('tags');
      const service = q !== null ? parseServiceQuery(q) : tags !== null ? parseServiceTag(tags) : undefined;
      if (service === undefined) {
        return send(400, q !== null ? `invalid TraceQL query: the sandbox understands { resource.service.name = "…" }, got ${q}` : 'the sandbox searches by tags=service.name=… or q={ resource.service.name = "…" }');
      }
      const num = (k: string) => (url.searchParams.has(k) ? Number(url.searchParams.get(k)) : undefined);
      return json(this.store.search({ service, start: num('start'), end: num('end'), limit: num('limit') ?? 20, traceql: q !== null }));
    }
    send(404, '404 page not found\n');
  }

  /** The ingestion series of reference/tempo-2.7.2/metrics-excerpt.txt; labelled counters absent until the first span. */
  metrics(): string {
    const v = this.opts.version;
    const tenant = { tenant: 'single-tenant' };
    const some = (n: number, labels: Record<string, string>) => (n > 0 ? [{ labels, value: n }] : []);
    const v3 = Number(v.split('.')[0]) >= 3;
    const receiver = (transport: 'grpc' | 'http') => ({ receiver: 'tempo/otlp_receiver', transport });
    const received = this.counters.accepted.grpc + this.counters.accepted.http > 0;
    const families: Family[] = [
      {
        name: 'tempo_build_info',
        help: 'A metric with a constant \'1\' value labeled by version, revision, branch, goversion from which tempo was built, and the goos and goarch for the build.',
        type: 'gauge',
        samples: [{ labels: { branch: 'HEAD', goarch: 'amd64', goos: 'linux', goversion: 'go1.23.5', revision: `v${v}`, tags: 'unknown', version: v }, value: 1 }],
      },
      { name: 'tempo_distributor_spans_received_total', help: 'The total number of spans received per tenant', type: 'counter', samples: some(this.counters.spansReceived, tenant) },
      ...(v3
        ? [{ name: 'tempo_live_store_traces_created_total', help: 'The total number of traces created per tenant.', type: 'counter' as const, samples: some(this.counters.tracesCreated, tenant) }]
        : [
            { name: 'tempo_ingester_live_traces', help: 'The current number of lives traces per tenant.', type: 'gauge' as const, samples: some(this.store.size, tenant) },
            { name: 'tempo_ingester_traces_created_total', help: 'The total number of traces created per tenant.', type: 'counter' as const, samples: some(this.counters.tracesCreated, tenant) },
          ]),
      {
        name: 'tempo_receiver_accepted_spans',
        help: 'Number of spans successfully pushed into the pipeline.',
        type: 'counter',
        samples: (['grpc', 'http'] as const).flatMap((t) => (this.counters.accepted[t] > 0 ? [{ labels: receiver(t), value: this.counters.accepted[t] }] : [])),
      },
      {
        name: 'tempo_receiver_refused_spans',
        help: 'Number of spans that could not be pushed into the pipeline.',
        type: 'counter',
        samples: received ? (['grpc', 'http'] as const).filter((t) => this.counters.accepted[t] > 0).map((t) => ({ labels: receiver(t), value: 0 })) : [],
      },
    ];
    return renderFamilies(families);
  }
}
