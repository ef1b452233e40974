/**
 * Who sends OTLP where, as the configs say: the backend (per its SDK's rules) and each
 * collector exporter in a traces pipeline (per the collector's rules); and who listens.
 * Pure: reads only the parsed stack.
 */
import path from 'node:path';
import type { Sourced } from '../stack/components.js';
import { parseEndpoint, reaches, dialHost } from '../stack/endpoint.js';
import { display, type Stack } from '../stack/stack.js';
import { defaultProtocol, readsCertificateEnv, type Evidence, type Language } from './model.js';

export type Trust = { kind: 'system' } | { kind: 'ca'; file: string } | { kind: 'skip' };

export interface Sender {
  component: 'backend' | 'collector';
  /** `backend` or `exporter otlp/tempo`. */
  label: string;
  exporterName?: string;
  host: string;
  port: number;
  protocol: 'grpc' | 'http/protobuf';
  tls: boolean;
  trust: Trust;
  serverName?: string;
  /** The config lines this sender's settings come from. */
  evidence: Evidence[];
  /** Facts worth stating with any finding about this sender. */
  notes: string[];
}

export interface Listener {
  owner: 'collector' | 'tempo' | 'tempo-internal' | 'tempo-api';
  protocol: 'grpc' | 'http';
  host: string;
  port: number;
  tls: boolean;
  evidence: Evidence[];
}

export function fileEvidence(cwd: string, s: Sourced<unknown> | undefined, text: string | undefined): Evidence[] {
  if (!s || s.origin.kind !== 'file' || !s.origin.file || !s.origin.line) return [];
  return [{ kind: 'file', file: display(cwd, s.origin.file), line: s.origin.line, text: text ?? '' }];
}

export function backendSender(stack: Stack, lang: Language, cwd: string): Sender | undefined {
  const b = stack.backend;
  if (!b) return undefined;
  const s = b.settings;
  const envLine = (key: string | undefined) => (key ? b.env.lineText(key) : undefined);
  const explicit = s.protocol?.value.toLowerCase();
  const notes: string[] = [];
  let protocol: Sender['protocol'] = explicit === 'grpc' ? 'grpc' : explicit?.startsWith('http') ? 'http/protobuf' : defaultProtocol(lang);
  if (lang === 'rust') {
    if (explicit && explicit !== 'grpc') notes.push("Rust's opentelemetry-otlp with tonic always speaks gRPC");
    protocol = 'grpc';
  }
  if (!explicit && lang !== 'rust') notes.push(`OTEL_EXPORTER_OTLP_PROTOCOL is not set: the ${lang === 'unknown' ? 'SDK' : lang} default is ${protocol}`);
  const raw = s.endpoint?.value ?? (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');
  const ep = parseEndpoint(raw, protocol === 'grpc' ? 4317 : 4318);
  if (!ep) return undefined;
  const insecure = s.insecure?.value.toLowerCase() === 'true';
  // By the specification the scheme decides; INSECURE only matters for an endpoint without one.
  const tls = ep.scheme ? ep.scheme === 'https' : protocol === 'grpc' ? !insecure : false;
  const backendCwd = b.restart && 'cwd' in b.restart && b.restart.cwd ? b.restart.cwd : path.dirname(b.file.path);
  let trust: Trust = { kind: 'system' };
  if (s.certificate) {
    if (readsCertificateEnv(lang)) trust = { kind: 'ca', file: path.resolve(backendCwd, s.certificate.value) };
    else notes.push("Rust's opentelemetry-otlp ignores OTEL_EXPORTER_OTLP_CERTIFICATE: it trusts only the system's roots");
  }
  return {
    component: 'backend',
    label: 'backend',
    host: ep.host,
    port: ep.port,
    protocol,
    tls,
    trust,
    evidence: [
      ...fileEvidence(cwd, s.endpoint, envLine(s.endpointKey)),
      ...fileEvidence(cwd, s.protocol, envLine(s.protocolKey)),
      ...fileEvidence(cwd, s.certificate, s.certificate ? b.env.lineText('OTEL_EXPORTER_OTLP_CERTIFICATE') ?? b.env.lineText('OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE') : undefined),
    ],
    notes,
  };
}

export function collectorSenders(stack: Stack, cwd: string): Sender[] {
  const c = stack.collector;
  if (!c) return [];
  const collectorCwd = c.restart && 'cwd' in c.restart && c.restart.cwd ? c.restart.cwd : stack.root;
  const line = (n?: number) => (n ? c.yaml.lineText(n) : '');
  return c.settings.exporters
    .filter((e) => e.inTracesPipeline && e.endpoint)
    .flatMap((e) => {
      const raw = e.endpoint!.value;
      const grpc = e.kind === 'otlp';
      // gRPC exporter: the scheme never turns TLS off; only tls.insecure does.
      const ep = grpc ? parseEndpoint(raw.replace(/^https?:\/\//i, '')) : parseEndpoint(raw);
      if (!ep) return [];
      const tls = grpc ? e.insecure?.value !== true : ep.scheme === 'https';
      const trust: Trust = e.insecureSkipVerify?.value ? { kind: 'skip' } : e.caFile ? { kind: 'ca', file: path.resolve(collectorCwd, e.caFile.value) } : { kind: 'system' };
      const ev = (s: Sourced<unknown> | undefined) => fileEvidence(cwd, s, s?.origin.line ? line(s.origin.line) : undefined);
      return [
        {
          component: 'collector' as const,
          label: `exporter ${e.name}`,
          exporterName: e.name,
          host: ep.host,
          port: ep.port,
          protocol: grpc ? ('grpc' as const) : ('http/protobuf' as const),
          tls,
          trust,
          serverName: e.serverNameOverride?.value,
          evidence: [...ev(e.endpoint), ...ev(e.insecure), ...ev(e.insecureSkipVerify), ...ev(e.caFile), ...ev(e.serverNameOverride)],
          notes: [],
        },
      ];
    });
}

export function listeners(stack: Stack, cwd: string): Listener[] {
  const out: Listener[] = [];
  const receiverEvidence = (file: string, line: number | undefined, text: string) => (line ? [{ kind: 'file' as const, file: display(cwd, file), line, text }] : []);
  if (stack.collector) {
    const c = stack.collector;
    for (const r of c.settings.receivers) {
      out.push({ owner: 'collector', protocol: r.protocol, host: r.endpoint.value.host, port: r.endpoint.value.port, tls: r.tls, evidence: receiverEvidence(c.file.path, r.endpoint.origin.line, r.endpoint.origin.line ? c.yaml.lineText(r.endpoint.origin.line) : '') });
    }
  }
  if (stack.tempo) {
    const t = stack.tempo;
    for (const r of t.settings.receivers) {
      out.push({ owner: 'tempo', protocol: r.protocol, host: r.endpoint.value.host, port: r.endpoint.value.port, tls: r.tls, evidence: receiverEvidence(t.file.path, r.endpoint.origin.line, r.endpoint.origin.line ? t.yaml.lineText(r.endpoint.origin.line) : '') });
    }
    const g = t.settings.grpcPort;
    out.push({ owner: 'tempo-internal', protocol: 'grpc', host: '0.0.0.0', port: g.value, tls: false, evidence: receiverEvidence(t.file.path, g.origin.line, g.origin.line ? t.yaml.lineText(g.origin.line) : `grpc_listen_port (default ${g.value})`) });
    const h = t.settings.httpPort;
    out.push({ owner: 'tempo-api', protocol: 'http', host: '0.0.0.0', port: h.value, tls: t.settings.httpTls, evidence: receiverEvidence(t.file.path, h.origin.line, h.origin.line ? t.yaml.lineText(h.origin.line) : '') });
  }
  return out;
}

/** The listener a sender reaches, or the one on its port that it cannot reach from its host. */
export function targetOf(sender: Sender, all: Listener[]): { listener?: Listener; unreachable?: Listener } {
  const onPort = all.filter((l) => l.port === sender.port);
  const listener = onPort.find((l) => reaches(l.host, sender.host));
  return listener ? { listener } : { unreachable: onPort[0] };
}

/** Where the diagnosis dials a listener from this machine. */
export function probeHost(l: Listener): string {
  return dialHost(l.host === 'localhost' ? '127.0.0.1' : l.host);
}
