/**
 * A local stand-in for the OpenTelemetry Collector 0.116 (OTLP receiver; `otlp` and
 * `otlphttp` exporters), reading a real-format collector YAML. Like the real one it acks
 * what it receives at once (the sending queue) and exports in the background, with the
 * real TLS semantics: TLS is on unless `tls.insecure: true`, and an `http://` prefix does
 * not turn it off for the gRPC exporter. Failures are logged in the real collector's words
 * (shared/reference/otelcol-0.116/log-*.txt) and counted in its own metrics.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls, { type PeerCertificate } from 'node:tls';
import { YamlFile } from '../edit/yaml-file.js';
import { collectorSettings, exporterKind, type CollectorSettings, type Exporter } from '../stack/components.js';
import { parseEndpoint } from '../stack/endpoint.js';
import { encodeExportRequest, spanCount, traceService, type ExportRequest } from './otlp.js';
import { loopbackHosts, otlpHttpHandler, serveHttp, serveOtlpGrpc } from './net.js';
import { renderFamilies } from './prometheus.js';

export const COLLECTOR_VERSION = '0.116.0';

export interface CollectorReplicaOptions {
  configPath: string;
  /** The collector resolves relative paths (ca_file) against its working folder. */
  cwd?: string;
  log?: (line: string) => void;
}

/** Keys of an OTLP exporter that the sandbox implements; others get a warning. */
const EXPORTER_KEYS = new Set(['endpoint', 'tls', 'headers', 'traces_endpoint']);
const TLS_KEYS = new Set(['insecure', 'insecure_skip_verify', 'ca_file', 'server_name_override', 'cert_file', 'key_file']);

interface Sender {
  exporter: Exporter;
  send(req: ExportRequest): Promise<void>;
  close(): void;
}

export class CollectorReplica {
  readonly settings: CollectorSettings;
  readonly counters = { accepted: { grpc: 0, http: 0 }, sent: new Map<string, number>(), failed: new Map<string, number>() };
  private readonly yaml: YamlFile;
  private readonly closers: Array<() => Promise<void>> = [];
  private senders: Sender[] = [];
  private readonly instanceId = randomUUID();
  private readonly log: (line: string) => void;
  private readonly cwd: string;

  private constructor(opts: CollectorReplicaOptions) {
    this.yaml = YamlFile.parse(readFileSync(opts.configPath, 'utf8'), opts.configPath);
    this.settings = collectorSettings(this.yaml, opts.configPath);
    this.log = opts.log ?? ((l) => process.stdout.write(l + '\n'));
    this.cwd = opts.cwd ?? process.cwd();
  }

  static async start(options: CollectorReplicaOptions): Promise<CollectorReplica> {
    const c = new CollectorReplica(options);
    try {
      c.warnUnimplemented();
      c.senders = c.settings.exporters.filter((e) => e.inTracesPipeline).map((e) => c.sender(e));
      await c.listen();
    } catch (e) {
      await c.stop();
      throw e;
    }
    c.log(`${ts()}\tinfo\tservice@v${COLLECTOR_VERSION}/service.go:261\tEverything is ready. Begin running and processing data.`);
    return c;
  }

  async stop(): Promise<void> {
    for (const s of this.senders) s.close();
    await Promise.all(this.closers.splice(0).map((c) => c().catch(() => undefined)));
  }

  private warn(message: string): void {
    this.log(`${ts()}\twarn\tsandbox\t${message} (not implemented by the trace-wizard sandbox; ignored)`);
  }

  private warnUnimplemented(): void {
    const top = (this.yaml.toJS() ?? {}) as Record<string, unknown>;
    for (const key of ['processors', 'extensions', 'connectors']) {
      for (const name of Object.keys((top[key] as object) ?? {})) this.warn(`${key.slice(0, -1)} ${name}`);
    }
    for (const name of Object.keys((top.receivers as object) ?? {})) if (name.split('/')[0] !== 'otlp') this.warn(`receiver ${name}`);
    const exporters = (top.exporters as Record<string, Record<string, unknown> | null>) ?? {};
    for (const [name, conf] of Object.entries(exporters)) {
      if (!exporterKind(name)) {
        if (name.split('/')[0] !== 'debug') this.warn(`exporter ${name}`);
        continue;
      }
      for (const k of Object.keys(conf ?? {})) if (!EXPORTER_KEYS.has(k)) this.warn(`exporter ${name}: key ${k}`);
      for (const k of Object.keys((conf?.tls as object) ?? {})) if (!TLS_KEYS.has(k)) this.warn(`exporter ${name}: key tls.${k}`);
    }
  }

  // ---- receiving -----------------------------------------------------------------

  private async listen(): Promise<void> {
    for (const r of this.settings.receivers) {
      const ep = r.endpoint.value;
      const creds = r.tls && r.certFile && r.keyFile ? { cert: readFileSync(r.certFile.value), key: readFileSync(r.keyFile.value) } : undefined;
      for (const host of loopbackHosts(ep.host)) {
        if (r.protocol === 'grpc') this.closers.push(await serveOtlpGrpc(host, ep.port, creds, (req) => this.receive(req, 'grpc')));
        else this.closers.push(await serveHttp(host, ep.port, creds, otlpHttpHandler((req) => this.receive(req, 'http'))));
      }
    }
    const metrics = parseEndpoint(this.settings.metricsAddress.value);
    if (metrics) {
      for (const host of loopbackHosts(metrics.host)) {
        const closer = await serveHttp(host, metrics.port, undefined, (req, res) => {
          if (req.url?.split('?')[0] === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics());
          else res.writeHead(404).end('404 page not found\n');
        });
        this.closers.push(closer);
      }
    }
  }

  /** Acked at once; exported in the background, as the real sending queue does. */
  private receive(req: ExportRequest, transport: 'grpc' | 'http'): void {
    this.counters.accepted[transport] += spanCount(req);
    for (const s of this.senders) void s.send(req);
  }

  // ---- exporting -----------------------------------------------------------------

  private count(map: Map<string, number>, name: string, n: number): void {
    map.set(name, (map.get(name) ?? 0) + n);
  }

  private sender(e: Exporter): Sender {
    const raw = e.endpoint?.value ?? '';
    const headers = (this.yaml.get(['exporters', e.name, 'headers']) ?? {}) as Record<string, string>;
    const caFile = e.caFile ? readFileSync(path.resolve(this.cwd, e.caFile.value)) : undefined;
    const skipVerify = e.insecureSkipVerify?.value === true;
    const serverName = e.serverNameOverride?.value;
    const verify = skipVerify
      ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
      : serverName ? { checkServerIdentity: (_h: string, cert: PeerCertificate) => tls.checkServerIdentity(serverName, cert) } : {};
    const onResult = (n: number, err?: GoError) => {
      if (!err) return this.count(this.counters.sent, e.name, n);
      this.count(this.counters.failed, e.name, n);
      this.log(err.permanent ? permanentLine(e.name, err.message, n) : transportLine(err.addr, err.message));
    };

    if (e.kind === 'otlp') {
      // gRPC: the scheme never decides TLS; only tls.insecure turns it off.
      const ep = parseEndpoint(raw.replace(/^https?:\/\//, ''));
      const target = ep ? `${ep.host}:${ep.port}` : raw;
      const insecure = e.insecure?.value === true;
      const creds = insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(caFile ?? null, null, null, verify);
      const Client = grpc.makeGenericClientConstructor(traceService(), 'TraceService');
      const client = new Client(target, creds) as unknown as grpc.Client & {
        Export(req: ExportRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void): void;
      };
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) md.set(k, String(v));
      return {
        exporter: e,
        close: () => client.close(),
        send: (req) =>
          new Promise<void>((resolve) =>
            client.Export(req, md, { deadline: Date.now() + 5000 }, (err) => {
              onResult(spanCount(req), err ? goErrorFromGrpc(err, target, ep?.host ?? target, insecure) : undefined);
              resolve();
            }),
          ),
      };
    }
    // OTLP/HTTP: here the scheme does decide TLS.
    const base = raw.replace(/\/$/, '');
    const url = new URL(`${base}/v1/traces`);
    return {
      exporter: e,
      close: () => undefined,
      send: (req) =>
        new Promise<void>((resolve) => {
          const body = encodeExportRequest(req);
          const lib = url.protocol === 'https:' ? https : http;
          const r = lib.request(
            url,
            { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers }, ca: caFile, rejectUnauthorized: !skipVerify, servername: serverName, timeout: 5000 },
            (res) => {
              res.resume();
              res.on('end', () => {
                const ok = (res.statusCode ?? 500) < 300;
                onResult(spanCount(req), ok ? undefined : { permanent: true, addr: url.host, message: `Permanent error: error exporting items, request to ${url.href} responded with HTTP Status Code ${res.statusCode}` });
                resolve();
              });
            },
          );
          r.on('error', (err) => {
            onResult(spanCount(req), { permanent: false, addr: url.host, message: `Post "${url.href}": ${goNetMessage(err, url.hostname)}` });
            resolve();
          });
          r.end(body);
        }),
    };
  }

  metrics(): string {
    const labels = { service_instance_id: this.instanceId, service_name: 'otelcol-sandbox', service_version: COLLECTOR_VERSION };
    const names = this.senders.map((s) => s.exporter.name);
    return renderFamilies([
      { name: 'otelcol_exporter_send_failed_spans', type: 'counter', samples: names.map((n) => ({ labels: { exporter: n, ...labels }, value: this.counters.failed.get(n) ?? 0 })) },
      { name: 'otelcol_exporter_sent_spans', type: 'counter', samples: names.map((n) => ({ labels: { exporter: n, ...labels }, value: this.counters.sent.get(n) ?? 0 })) },
      {
        name: 'otelcol_receiver_accepted_spans',
        type: 'counter',
        samples: this.settings.receivers.map((r) => ({ labels: { receiver: 'otlp', ...labels, transport: r.protocol }, value: this.counters.accepted[r.protocol] })),
      },
      {
        name: 'otelcol_receiver_refused_spans',
        type: 'counter',
        samples: this.settings.receivers.map((r) => ({ labels: { receiver: 'otlp', ...labels, transport: r.protocol }, value: 0 })),
      },
    ]);
  }
}

interface GoError {
  permanent: boolean;
  addr: string;
  message: string;
}

function ts(): string {
  return new Date().toISOString();
}

/** reference/otelcol-0.116/log-wrongport-insecure.txt */
function permanentLine(exporter: string, error: string, dropped: number): string {
  return `${ts()}\terror\tinternal/queue_sender.go:103\tExporting failed. Dropping data. Try enabling retry_on_failure config option to retry on retryable errors.\t{"kind": "exporter", "data_type": "traces", "name": "${exporter}", "error": ${JSON.stringify(error)}, "dropped_items": ${dropped}}`;
}

/** reference/otelcol-0.116/log-{plaintext-to-tls,tls-default-untrusted,http-scheme,ca-wrong-name}.txt */
function transportLine(addr: string, desc: string): string {
  return `${ts()}\twarn\tgrpc/clientconn.go:1384\t[core] [Channel #1 SubChannel #2]grpc: addrConn.createTransport failed to connect to {Addr: "${addr}", ServerName: "${addr}", }. Err: connection error: desc = ${JSON.stringify(desc)}\t{"grpc_log": true}`;
}

/** Maps a grpc-js failure onto what Go's gRPC client reports for the same situation. */
function goErrorFromGrpc(err: grpc.ServiceError, target: string, host: string, insecure: boolean): GoError {
  if (err.code === grpc.status.UNIMPLEMENTED || err.code === grpc.status.INVALID_ARGUMENT || err.code === grpc.status.PERMISSION_DENIED || err.code === grpc.status.UNAUTHENTICATED) {
    const name = Object.entries(grpc.status).find(([, v]) => v === err.code)?.[0] ?? String(err.code);
    const goName = name.toLowerCase().replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
    return { permanent: true, addr: target, message: `Permanent error: rpc error: code = ${goName} desc = ${err.details}` };
  }
  const details = err.details ?? err.message;
  if (/Failed to connect|Connection dropped|ECONNRESET|Protocol error/i.test(details) && insecure) {
    return { permanent: false, addr: target, message: 'error reading server preface: EOF' };
  }
  return { permanent: false, addr: target, message: `transport: ${goNetMessage(new Error(details), host)}` };
}

function goNetMessage(err: Error & { code?: string }, host: string): string {
  const m = err.message;
  if (/self[- ]signed certificate|unable to verify|unable to get local issuer/i.test(m)) return 'authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority';
  const alt = /cert's list: ([^.]+(?:\.[^.\s]+)*)\.?\s*(Resolution|$)/.exec(m) ?? /altnames: (.+?)\.?\s*(Resolution|$)/.exec(m);
  if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/.test(m)) {
    const valid = (alt?.[1] ?? '').replace(/(DNS|IP Address):/g, '').trim();
    return `authentication handshake failed: tls: failed to verify certificate: x509: certificate is valid for ${valid}, not ${host}`;
  }
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(m)) return 'authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (/wrong version number|packet length too long|record layer failure/i.test(m)) return 'authentication handshake failed: tls: first record does not look like a TLS handshake';
  const refused = /ECONNREFUSED ([\d.:]+)/.exec(m);
  if (refused) return `Error while dialing: dial tcp ${refused[1]}: connect: connection refused`;
  return m;
}
