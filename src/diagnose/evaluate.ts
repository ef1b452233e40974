/**
 * From what the configs say and what the probes saw, to findings and hops. Pure: every
 * input is data, so each rule can be read (and tested) on its own.
 */
import type { HttpResult } from '../probe/http.js';
import { parsePrometheus, sumOf } from '../probe/prometheus.js';
import type { Stack } from '../stack/stack.js';
import { display } from '../stack/stack.js';
import { certCovers, chainTrustedBy, validFor } from './certs.js';
import type { LogClass, LogMatch } from './logs.js';
import { readsCertificateEnv, type Evidence, type Finding, type Hop, type Language, type RepairId } from './model.js';
import { describePort, type PortProbe } from './probe-port.js';
import { targetOf, type Listener, type Sender } from './senders.js';

export interface EvaluationInput {
  stack: Stack;
  cwd: string;
  language: Language;
  languageEvidence?: string;
  senders: Sender[];
  listeners: Listener[];
  /** Keyed by `host:port` as each sender dials it. */
  ports: Map<string, PortProbe>;
  /** CA files named by senders: their PEM, or why they could not be read. */
  caFiles: Map<string, string | Error>;
  tempo?: { api: string; ready?: HttpResult; buildinfo?: HttpResult; metrics?: HttpResult };
  collectorMetrics?: { url: string; result: HttpResult };
  logs: LogMatch[];
  now: number;
}

export interface Evaluation {
  findings: Finding[];
  hops: Hop[];
  tempoVersion?: string;
}

const DAY = 86400_000;

export function senderKey(s: Pick<Sender, 'host' | 'port'>): string {
  return `${s.host}:${s.port}`;
}

function hopTo(l: Listener | undefined): string {
  if (!l) return 'unknown';
  return l.owner === 'collector' ? 'collector' : 'tempo';
}

function fixesFor(hop: string, id: string): RepairId[] {
  if (hop === 'collector→tempo') return id === 'tls-to-plaintext' ? ['tempo-plaintext', 'direct'] : ['collector-tls', 'tempo-plaintext', 'direct'];
  if (hop === 'backend→tempo') return ['direct', 'tempo-plaintext'];
  return ['direct'];
}

export function evaluate(input: EvaluationInput): Evaluation {
  const findings: Finding[] = [];
  const hops: Hop[] = [];
  for (const s of input.senders) {
    const r = evaluateSender(s, input);
    findings.push(...r.findings);
    hops.push(r.hop);
  }
  findings.push(...configFindings(input), ...receiverFindings(input));
  const runtime = runtimeFindings(input, hops);
  findings.push(...runtime.findings);
  attachLogs(input, findings, hops);
  // A hop with an error finding is failing, whatever the probe of its port said.
  for (const h of hops) if (findings.some((f) => f.severity === 'error' && f.where === h.id)) h.status = 'failing';
  const order = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return { findings, hops, tempoVersion: runtime.version };
}

function evaluateSender(s: Sender, input: EvaluationInput): { hop: Hop; findings: Finding[] } {
  const { listener, unreachable } = targetOf(s, input.listeners);
  const hopId = `${s.component}→${hopTo(listener)}`;
  const probe = input.ports.get(senderKey(s));
  const address = senderKey(s);
  const probeEvidence: Evidence[] = probe ? [{ kind: 'probe', target: address, result: describePort(probe) }] : [];
  const out: Finding[] = [];
  const add: AddFinding = (id, title, explanation, extra = [], severity = 'error') =>
    out.push({ id, severity, where: hopId, title, explanation: [explanation, ...s.notes].join(' '), evidence: [...s.evidence, ...extra, ...probeEvidence], fixedBy: fixesFor(hopId, id) });
  const hop: Hop = { id: hopId, from: s.label === 'backend' ? 'backend' : `collector (${s.label})`, to: listener ? listener.owner.replace('-internal', " (internal gRPC)").replace('-api', ' (HTTP API)') : address, address, protocol: s.protocol, tls: s.tls, status: 'unknown', detail: probe ? describePort(probe) : 'not probed' };

  if (!probe) return { hop, findings: out };
  if (probe.kind === 'closed') {
    if (unreachable) {
      add('receiver-bound-elsewhere', `${unreachable.owner} listens on ${unreachable.host}:${unreachable.port}, which ${s.host} does not reach`, `The ${s.label} dials ${address}, but the receiver is bound to ${unreachable.host} only, so connections to ${s.host} are refused.`, unreachable.evidence);
    } else {
      add('nothing-listening', `Nothing listens on ${address}`, `The ${s.label} sends to ${address}, where the connection is refused: no component of this stack listens there.`);
    }
  } else if (probe.kind === 'silent') {
    add('no-answer', `${address} accepts connections but never answers`, `The ${s.label} sends to ${address}; the port took the connection but sent nothing back within the deadline. Something other than an OTLP receiver may hold it.`);
  } else {
    if (listener?.owner === 'tempo-internal' || (probe.kind === 'grpc' && listener?.owner !== 'collector')) {
      const tempoPort = listener?.owner === 'tempo-internal';
      add(
        tempoPort ? 'tempo-internal-grpc-port' : 'not-an-otlp-receiver',
        tempoPort ? `The ${s.label} sends to Tempo's internal gRPC port ${s.port}, not to its OTLP receiver` : `${address} is a gRPC server but not an OTLP receiver`,
        tempoPort
          ? `Port ${s.port} is Tempo's server.grpc_listen_port (query-frontend and workers). It answers every OTLP export with "Unimplemented: unknown service opentelemetry.proto.collector.trace.v1.TraceService", so every span is dropped. Tempo's OTLP receiver is ${receiverText(input)}.`
          : 'An OTLP export there is answered with UNIMPLEMENTED, so every span is dropped.',
        listener?.evidence ?? [],
      );
    } else if (listener?.owner === 'tempo-api' || (s.protocol === 'grpc' && (probe.kind === 'http' || listener?.protocol === 'http'))) {
      add('grpc-to-http-port', `The ${s.label} speaks OTLP/gRPC to ${address}, an HTTP port`, `${address} serves HTTP/1 (${listener?.owner === 'tempo-api' ? "Tempo's HTTP API" : 'OTLP/HTTP'}), which a gRPC client cannot use ("http2: frame too large" or a failed connection).`, listener?.evidence ?? []);
    } else if (s.protocol === 'http/protobuf' && (probe.kind === 'otlp-grpc' || probe.kind === 'grpc' || listener?.protocol === 'grpc')) {
      add('http-to-grpc-port', `The ${s.label} speaks OTLP/HTTP to ${address}, a gRPC port`, `${address} is an OTLP/gRPC receiver, and the ${s.label} sends OTLP/HTTP (http/protobuf) there; the request is refused. Set OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or send to the OTLP/HTTP port.`, listener?.evidence ?? []);
    }
    if (probe.secure !== undefined) {
      if (!s.tls && probe.secure) {
        add('plaintext-to-tls', `The ${s.label} sends plaintext to ${address}, which requires TLS`, `The receiver at ${address} only accepts TLS; a plaintext client fails the handshake ("error reading server preface: EOF" in the collector, "Failed to connect" in the Node SDK, "first record does not look like a TLS handshake" in Tempo's log).`, listener?.evidence ?? []);
      } else if (s.tls && !probe.secure) {
        add('tls-to-plaintext', `The ${s.label} uses TLS to ${address}, which is plaintext`, `The receiver at ${address} does not speak TLS, so the TLS handshake fails ("tls: first record does not look like a TLS handshake").`, listener?.evidence ?? []);
      } else if (s.tls && probe.tls.tls) {
        certificateFindings(s, probe, input, add);
      }
    }
    if (probe.kind === 'unknown' && s.protocol === 'grpc' && !out.some((f) => f.severity === 'error')) {
      add('otlp-export-fails', `${address} answers, but an OTLP export there fails`, `The port takes connections, yet an empty OTLP/gRPC Export call got "${probe.otlp?.message ?? 'no answer'}", and it does not answer HTTP either: the ${s.label}'s exports fail the same way.`);
    }
    if (!out.some((f) => f.severity === 'error') && (probe.kind === 'otlp-grpc' || (s.protocol === 'http/protobuf' && listener?.protocol === 'http' && listener.owner !== 'tempo-api'))) hop.status = 'ok';
  }
  if (out.some((f) => f.severity === 'error')) hop.status = 'failing';
  return { hop, findings: out };
}

type AddFinding = (id: string, title: string, explanation: string, extra?: Evidence[], severity?: Finding['severity']) => void;

function certificateFindings(s: Sender, probe: PortProbe, input: EvaluationInput, add: AddFinding): void {
  if (!probe.tls.tls) return;
  const cert = probe.tls.certificate;
  const certText: Evidence = { kind: 'probe', target: senderKey(s), result: `certificate ${cert.subject}, issuer ${cert.issuer}${cert.selfSigned ? ' (self-signed)' : ''}, SANs ${cert.sans.join(', ') || 'none'}, valid ${cert.validFrom.slice(0, 10)} to ${cert.validTo.slice(0, 10)}` };
  if (s.trust.kind === 'ca') {
    const pem = input.caFiles.get(s.trust.file);
    if (pem instanceof Error || pem === undefined) {
      add('ca-file-unreadable', `The CA file ${display(input.cwd, s.trust.file)} cannot be read`, `The ${s.label} trusts ${display(input.cwd, s.trust.file)}, which cannot be read${pem instanceof Error ? ` (${pem.message})` : ''}; the TLS handshake will fail.`);
    } else if (!chainTrustedBy(probe.tls.chainPem, pem)) {
      add('certificate-untrusted', `The ${s.label} does not trust the certificate of ${senderKey(s)}`, `The CA file ${display(input.cwd, s.trust.file)} did not sign the certificate the receiver presents ("x509: certificate signed by unknown authority").`, [certText]);
    }
  } else if (s.trust.kind === 'system' && !probe.tls.trustedBySystem) {
    add(
      'certificate-untrusted',
      `The ${s.label} does not trust the ${cert.selfSigned ? 'self-signed ' : ''}certificate of ${senderKey(s)}`,
      `The receiver's certificate is ${cert.selfSigned ? 'self-signed' : `issued by ${cert.issuer}`}, which the system's trust store does not contain, and the ${s.label} trusts nothing else ("x509: certificate signed by unknown authority" in Go, "${probe.tls.systemError === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'self-signed certificate' : (probe.tls.systemError ?? 'unable to verify')}" in Node).`,
      [certText],
    );
  }
  if (s.trust.kind !== 'skip') {
    const name = s.serverName ?? s.host;
    if (!certCovers(cert.sans, name)) {
      add('certificate-name-mismatch', `${name} is not a name in the certificate of ${senderKey(s)}`, `The ${s.label} dials ${s.host}${s.serverName ? ` (verifying as ${s.serverName})` : ''}; the certificate is valid for ${validFor(cert.sans, name)} only ("x509: certificate is valid for ${validFor(cert.sans, name)}, not ${name}"). Dial a name it holds, or set tls.server_name_override.`, [certText]);
    }
  }
  const left = Date.parse(cert.validTo) - input.now;
  if (left < 0) add('certificate-expired', `The certificate of ${senderKey(s)} expired on ${cert.validTo.slice(0, 10)}`, 'An expired certificate fails verification ("x509: certificate has expired or is not yet valid"). Renew it in Tempo\'s config.', [certText]);
  else if (left < 14 * DAY) {
    add('certificate-expiring', `The certificate of ${senderKey(s)} expires on ${cert.validTo.slice(0, 10)}`, `Within ${Math.ceil(left / DAY)} days every TLS export to it will fail. Renew it in time.`, [certText], 'warning');
  }
}

/** What every client of Tempo's OTLP receiver must cope with: TLS, and which certificate. */
function receiverFindings(input: EvaluationInput): Finding[] {
  const out: Finding[] = [];
  for (const l of input.listeners.filter((x) => x.owner === 'tempo' && x.protocol === 'grpc')) {
    const probe = [...input.ports.values()].find((p) => p.port === l.port && p.tls.tls);
    if (!probe || !probe.tls.tls) continue;
    const cert = probe.tls.certificate;
    const trusted = probe.tls.trustedBySystem;
    out.push({
      id: 'tempo-receiver-tls',
      severity: trusted ? 'info' : 'warning',
      where: 'tempo',
      title: `Tempo's OTLP receiver on ${l.port} requires TLS${trusted ? '' : `, with a ${cert.selfSigned ? 'self-signed' : 'privately issued'} certificate`}`,
      explanation: trusted
        ? 'Clients must connect with TLS; its certificate is trusted by the system store.'
        : `Clients must connect with TLS and trust this certificate explicitly (it is not in the system's trust store): the collector with tls.ca_file, an SDK with OTEL_EXPORTER_OTLP_CERTIFICATE. It is valid for ${cert.sans.join(', ') || 'no names'} until ${cert.validTo.slice(0, 10)}.`,
      evidence: [...l.evidence, { kind: 'probe', target: `${probe.host}:${probe.port}`, result: `TLS${probe.tls.alpn ? ` (ALPN ${probe.tls.alpn})` : ''}; certificate ${cert.subject}${cert.selfSigned ? ' (self-signed)' : `, issuer ${cert.issuer}`}, SANs ${cert.sans.join(', ')}; ${probe.kind === 'otlp-grpc' ? 'OTLP/gRPC Export: OK' : describePort(probe)}` }],
      fixedBy: [],
    });
  }
  return out;
}

function receiverText(input: EvaluationInput): string {
  const r = input.listeners.find((l) => l.owner === 'tempo' && l.protocol === 'grpc');
  return r ? `${r.host}:${r.port}${r.tls ? ' (TLS)' : ''}` : 'not configured';
}

function configFindings(input: EvaluationInput): Finding[] {
  const out: Finding[] = [];
  const { stack, cwd } = input;
  const c = stack.collector;
  if (c) {
    for (const e of c.settings.exporters.filter((x) => x.inTracesPipeline)) {
      const line = (n?: number) => (n ? c.yaml.lineText(n) : '');
      const fileEv = (n?: number): Evidence[] => (n ? [{ kind: 'file', file: display(cwd, c.file.path), line: n, text: line(n) }] : []);
      if (e.kind === 'otlp' && /^http:\/\//i.test(e.endpoint?.value ?? '') && e.insecure?.value !== true) {
        out.push({ id: 'http-scheme-keeps-tls', severity: 'warning', where: 'collector→tempo', title: `An http:// prefix does not turn TLS off for the gRPC exporter ${e.name}`, explanation: 'For the collector\'s gRPC exporter the scheme is ignored: TLS stays on (with the system\'s CAs) unless tls.insecure is true.', evidence: fileEv(e.endpoint?.origin.line), fixedBy: ['collector-tls', 'tempo-plaintext'] });
      }
      if (e.insecureSkipVerify?.value === true) {
        out.push({ id: 'insecure-skip-verify', severity: 'warning', where: 'collector→tempo', title: `Exporter ${e.name} skips certificate verification`, explanation: 'tls.insecure_skip_verify: true encrypts but accepts any certificate, so anyone who can intercept the connection can read and alter traces. Trust the receiver\'s certificate with tls.ca_file instead.', evidence: fileEv(e.insecureSkipVerify.origin.line), fixedBy: ['collector-tls'] });
      }
    }
    if (!c.settings.exporters.some((e) => e.inTracesPipeline)) {
      out.push({ id: 'no-traces-exporter', severity: 'error', where: 'collector', title: 'The collector has no OTLP exporter in a traces pipeline', explanation: 'Spans the collector receives go nowhere: add an otlp exporter to service.pipelines.traces.exporters.', evidence: [], fixedBy: ['direct'] });
    }
  }
  const b = stack.backend;
  if (b) {
    const s = b.settings;
    if (s.insecure && s.endpoint && /^https?:\/\//i.test(s.endpoint.value)) {
      out.push({
        id: 'insecure-env-has-no-effect',
        severity: 'warning',
        where: 'backend',
        title: 'OTEL_EXPORTER_OTLP_INSECURE has no effect with a schemed endpoint',
        explanation: 'By the OpenTelemetry specification OTEL_EXPORTER_OTLP_INSECURE means "no TLS at all", and it only applies to an endpoint written without a scheme. With an http:// or https:// endpoint the scheme decides, and the variable is ignored. It never means "skip certificate verification".',
        evidence: [...(s.insecure.origin.line ? [{ kind: 'file' as const, file: display(cwd, b.file.path), line: s.insecure.origin.line, text: b.env.lineText('OTEL_EXPORTER_OTLP_INSECURE') ?? b.env.lineText('OTEL_EXPORTER_OTLP_TRACES_INSECURE') ?? '' }] : [])],
        fixedBy: ['direct'],
      });
    }
    const reads = readsCertificateEnv(input.language);
    out.push({
      id: 'backend-language',
      severity: 'info',
      where: 'backend',
      title: `The backend looks like a ${input.language === 'unknown' ? 'project in an unknown language' : `${input.language[0].toUpperCase()}${input.language.slice(1)} project`}`,
      explanation:
        input.language === 'rust'
          ? "Rust's opentelemetry-otlp crate does not read OTEL_EXPORTER_OTLP_CERTIFICATE (custom trust is code-only, and an https endpoint needs a TLS cargo feature), so the backend cannot be pointed at a self-signed Tempo by its .env alone."
          : reads ? 'Its OpenTelemetry SDK reads OTEL_EXPORTER_OTLP_CERTIFICATE, so it can trust a self-signed certificate through its .env.' : 'Its SDK may not read OTEL_EXPORTER_OTLP_CERTIFICATE.',
      evidence: input.languageEvidence ? [{ kind: 'file', file: input.languageEvidence, line: 1, text: '(exists)' }] : [],
      fixedBy: [],
    });
  }
  return out;
}

function runtimeFindings(input: EvaluationInput, hops: Hop[]): { findings: Finding[]; version?: string } {
  const out: Finding[] = [];
  let version: string | undefined;
  const t = input.tempo;
  if (t) {
    if (!t.ready?.ok) {
      out.push({ id: 'tempo-api-unreachable', severity: 'error', where: 'tempo', title: `Tempo's API does not answer at ${t.api}`, explanation: 'Tempo does not seem to run (or its API is elsewhere: set tempo.api in the profile). No trace can be stored or found.', evidence: [{ kind: 'probe', target: `${t.api}/ready`, result: t.ready?.error ?? 'no answer' }], fixedBy: [] });
    } else if (t.ready.status !== 200) {
      out.push({ id: 'tempo-not-ready', severity: 'warning', where: 'tempo', title: `Tempo is not ready yet (/ready answers ${t.ready.status})`, explanation: 'Tempo answers 503 for about 15–20 s after it starts; try again shortly.', evidence: [{ kind: 'probe', target: `${t.api}/ready`, result: `${t.ready.status} ${t.ready.body.trim()}` }], fixedBy: [] });
    }
    if (t.buildinfo?.ok && t.buildinfo.status === 200) {
      try {
        version = (JSON.parse(t.buildinfo.body) as { version?: string }).version;
      } catch {
        /* not Tempo's JSON: leave the version unknown */
      }
    }
    if (t.metrics?.ok && t.metrics.status === 200) {
      const received = sumOf(parsePrometheus(t.metrics.body), 'tempo_distributor_spans_received_total') ?? 0;
      if (received === 0) {
        out.push({ id: 'tempo-no-spans', severity: 'info', where: 'tempo', title: 'Tempo has received no span since it started', explanation: 'tempo_distributor_spans_received_total is absent (counted as 0): nothing has reached Tempo.', evidence: [{ kind: 'metric', source: `${t.api}/metrics`, text: 'tempo_distributor_spans_received_total absent' }], fixedBy: [] });
      }
    }
  }
  const cm = input.collectorMetrics;
  if (cm?.result.ok && cm.result.status === 200) {
    const samples = parsePrometheus(cm.result.body);
    const failed = sumOf(samples, 'otelcol_exporter_send_failed_spans') ?? 0;
    const sent = sumOf(samples, 'otelcol_exporter_sent_spans') ?? 0;
    if (failed > 0) {
      const hop = hops.find((h) => h.id.startsWith('collector→'));
      out.push({ id: 'collector-exports-failing', severity: sent === 0 ? 'error' : 'warning', where: hop?.id ?? 'collector→tempo', title: `The collector failed to export ${failed} spans${sent === 0 ? ' and exported none' : ` (and exported ${sent})`}`, explanation: 'Its own metrics show the exporter failing: the spans it receives do not reach Tempo.', evidence: [{ kind: 'metric', source: cm.url, text: `otelcol_exporter_send_failed_spans ${failed}, otelcol_exporter_sent_spans ${sent}` }], fixedBy: ['collector-tls', 'tempo-plaintext', 'direct'] });
    }
  }
  return { findings: out, version };
}

const LOG_FINDING: Record<LogClass, string[]> = {
  'not-otlp': ['tempo-internal-grpc-port', 'not-an-otlp-receiver'],
  'plaintext-to-tls': ['plaintext-to-tls', 'tls-to-plaintext'],
  untrusted: ['certificate-untrusted'],
  'name-mismatch': ['certificate-name-mismatch'],
  refused: ['nothing-listening', 'receiver-bound-elsewhere'],
  'grpc-to-http': ['grpc-to-http-port', 'http-to-grpc-port'],
};

/** Log lines become evidence of the finding they confirm, or findings of their own. */
function attachLogs(input: EvaluationInput, findings: Finding[], hops: Hop[]): void {
  for (const m of input.logs) {
    const evidence: Evidence = { kind: 'log', source: m.source, line: m.line, text: m.text };
    const ids = LOG_FINDING[m.class];
    const hop = m.component === 'collector' ? hops.find((h) => h.id.startsWith('collector→'))?.id : m.component === 'backend' ? hops.find((h) => h.id.startsWith('backend→'))?.id : undefined;
    const existing = findings.find((f) => ids.includes(f.id) && (!hop || f.where === hop)) ?? findings.find((f) => ids.includes(f.id));
    if (existing) existing.evidence.push(evidence);
    else {
      // A log is history: when the probes show the hop working now — or, for a refusal,
      // something listening now (components start in any order) — the line is from before.
      const h = hops.find((x) => x.id === hop);
      const probe = h && input.ports.get(h.address);
      const worksNow = h?.status === 'ok';
      const past = worksNow || (m.class === 'refused' && probe !== undefined && probe.kind !== 'closed');
      findings.push({
        id: `log-${m.class}`,
        severity: past ? 'info' : 'error',
        where: hop ?? m.component ?? 'log',
        title: `${past ? 'Earlier, a' : 'A'} log reported: ${LOG_TITLES[m.class]}`,
        explanation: past ? `${m.source} line ${m.line} matches a known failure, but ${worksNow ? 'the hop works now' : `${h!.address} accepts connections now`} (it may date from a restart).` : `${m.source} line ${m.line} matches a known failure.`,
        evidence: [evidence],
        fixedBy: hop && !past ? fixesFor(hop, ids[0]) : [],
      });
    }
  }
}

const LOG_TITLES: Record<LogClass, string> = {
  'not-otlp': 'a gRPC port that is not an OTLP receiver',
  'plaintext-to-tls': 'a plaintext client talking to a TLS server',
  untrusted: 'a certificate that is not trusted',
  'name-mismatch': 'a certificate that does not hold the dialled name',
  refused: 'nothing listening where spans are sent',
  'grpc-to-http': 'a gRPC client talking to an HTTP/1 port',
};
