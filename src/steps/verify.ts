/**
 * Proof of ingestion, four checks:
 * 1. canary: a span with a fresh trace id, sent over the hop the backend uses with the trust
 *    the backend has, found again through Tempo's /api/traces/<id> (polled every 25 ms);
 * 2. Tempo's counters moved (names chosen by the version from /api/status/buildinfo);
 * 3. the backend's own spans arrive: a search for its service name finds traces that
 *    started after `since` (batch exporters flush every few seconds: progress is reported);
 * 4. where a collector is on the way, its exporter's sent counter moved and failed did not.
 */
import { readFile } from 'node:fs/promises';
import { sendSpan } from '../otlp/send-span.js';
import { httpGet } from '../probe/http.js';
import { parsePrometheus, sumOf, type PromSample } from '../probe/prometheus.js';
import { backendSender, collectorSenders, type Sender } from '../diagnose/senders.js';
import { progressDue, sleep } from '../restart/events.js';
import { dialHost } from '../stack/endpoint.js';
import { CHECK_LABELS, type CheckName } from '../diagnose/model.js';
import type { Stack } from '../stack/stack.js';
import { detectLanguage, diagnose } from './diagnose.js';

export interface Check {
  name: CheckName;
  ok: boolean;
  ms: number;
  detail: string;
}

export type VerifyEvent =
  | { type: 'check-start'; name: CheckName; label: string }
  | { type: 'check-waiting'; name: CheckName; elapsedMs: number; detail: string }
  | { type: 'check-end'; check: Check };

export interface VerifyResult {
  ok: boolean;
  checks: Check[];
  canary: { traceId: string; url: string } | null;
  /** For a failed proof: the hop that fails and the likely cause (from a diagnosis). */
  failure: { hop: string; cause: string; finding: string | null } | null;
}

export interface VerifyOptions {
  timeoutMs: number;
  /** Spans of the backend count when they started after this (ms since epoch). */
  since: number;
  cwd: string;
  onEvent?: (e: VerifyEvent) => void;
}

interface Route {
  label: string;
  url: string;
  protocol: 'grpc' | 'http/protobuf';
  ca?: Buffer;
  skipVerify?: boolean;
  serverName?: string;
  viaCollector: boolean;
}

/** The hop the backend's spans take first, with the trust the backend has. */
async function canaryRoute(stack: Stack, cwd: string): Promise<Route> {
  const { language } = detectLanguage(stack);
  const b = backendSender(stack, language, cwd);
  const fromSender = async (s: Sender, viaCollector: boolean): Promise<Route> => ({
    label: `${s.label} → ${s.host}:${s.port}`,
    url: `${s.tls ? 'https' : 'http'}://${s.host}:${s.port}`,
    protocol: s.protocol,
    ca: s.trust.kind === 'ca' ? await readFile(s.trust.file).catch(() => undefined) : undefined,
    skipVerify: s.trust.kind === 'skip',
    serverName: s.serverName,
    viaCollector,
  });
  if (b) {
    const viaCollector = stack.collector?.settings.receivers.some((r) => r.endpoint.value.port === b.port) ?? false;
    return fromSender(b, viaCollector);
  }
  const r = stack.collector?.settings.receivers.find((x) => x.protocol === 'grpc');
  if (r) return { label: `collector receiver ${r.endpoint.value.raw}`, url: `${r.tls ? 'https' : 'http'}://${dialHost(r.endpoint.value.host)}:${r.endpoint.value.port}`, protocol: 'grpc', viaCollector: true };
  const exporter = collectorSenders(stack, cwd)[0];
  if (exporter) return fromSender(exporter, false);
  const t = stack.tempo?.settings.receivers.find((x) => x.protocol === 'grpc');
  if (!t) throw new Error('no OTLP receiver to send the canary to');
  return { label: `Tempo receiver ${t.endpoint.value.raw}`, url: `${t.tls ? 'https' : 'http'}://${dialHost(t.endpoint.value.host)}:${t.endpoint.value.port}`, protocol: 'grpc', skipVerify: t.tls, viaCollector: false };
}

async function metrics(url: string | undefined): Promise<PromSample[] | undefined> {
  if (!url) return undefined;
  const r = await httpGet(url, { timeoutMs: 2000 });
  return r.ok && r.status === 200 ? parsePrometheus(r.body) : undefined;
}

export async function verify(stack: Stack, opts: VerifyOptions): Promise<VerifyResult> {
  const emit = opts.onEvent ?? (() => {});
  const deadline = Date.now() + opts.timeoutMs;
  const api = stack.tempo?.settings.api.value;
  if (!api) throw new Error('verify needs Tempo in the stack (its config, or tempo.api in the profile)');
  const route = await canaryRoute(stack, opts.cwd);
  const collectorMetricsUrl = route.viaCollector && stack.collector ? `http://${stack.collector.settings.metricsAddress.value.replace(/^(0\.0\.0\.0|localhost)/, '127.0.0.1')}/metrics` : undefined;
  const [buildinfo, tempoBefore, collectorBefore] = await Promise.all([httpGet(`${api}/api/status/buildinfo`, { timeoutMs: 2000 }), metrics(`${api}/metrics`), metrics(collectorMetricsUrl)]);
  const version = (() => {
    try {
      return (JSON.parse(buildinfo.body) as { version?: string }).version ?? '2';
    } catch {
      return '2';
    }
  })();
  const checks: Check[] = [];
  const record = (c: Check) => {
    checks.push(c);
    emit({ type: 'check-end', check: c });
  };

  // 1. The canary.
  emit({ type: 'check-start', name: 'canary', label: CHECK_LABELS.canary });
  const started = Date.now();
  const sent = await sendSpan({ url: route.url, protocol: route.protocol, ca: route.ca, skipVerify: route.skipVerify, serverName: route.serverName, serviceName: 'trace-wizard', spanName: 'trace-wizard-canary', timeoutMs: Math.min(5000, opts.timeoutMs) });
  const canaryUrl = `${api}/api/traces/${sent.traceId}`;

  if (!sent.ok) {
    record({ name: 'canary', ok: false, ms: Date.now() - started, detail: `the export over ${route.label} failed: ${sent.message}` });
  } else {
    let found: number | undefined;
    while (Date.now() < deadline) {
      const r = await httpGet(canaryUrl, { timeoutMs: 2000 });
      if (r.ok && r.status === 200) {
        found = Date.now();
        break;
      }
      await sleep(25);
    }

    record({
      name: 'canary',
      ok: found !== undefined,
      ms: Date.now() - started,
      detail: found ? `trace ${sent.traceId} sent over ${route.label}, found in Tempo ${found - (sent.ackedAt ?? started)} ms after the export was acknowledged` : `trace ${sent.traceId} was accepted over ${route.label} but Tempo did not have it within ${opts.timeoutMs / 1000} s`,
    });
  }

  // 2. Tempo's counters.
  emit({ type: 'check-start', name: 'tempo-counters', label: CHECK_LABELS['tempo-counters'] });
  const t2 = Date.now();
  const second = Number(version.split('.')[0]) >= 3 ? 'tempo_live_store_traces_created_total' : 'tempo_ingester_traces_created_total';
  const names = ['tempo_distributor_spans_received_total', 'tempo_receiver_accepted_spans', second];
  const tempoAfter = await metrics(`${api}/metrics`);
  const deltas = names.map((n) => (sumOf(tempoAfter ?? [], n) ?? 0) - (sumOf(tempoBefore ?? [], n) ?? 0));
  record({ name: 'tempo-counters', ok: tempoAfter !== undefined && deltas.every((d) => d >= 1), ms: Date.now() - t2, detail: tempoAfter ? names.map((n, i) => `${n} +${deltas[i]}`).join(', ') : `Tempo's /metrics did not answer` });

  // 3. The collector, when on the way.
  if (collectorMetricsUrl) {
    emit({ type: 'check-start', name: 'collector-exports', label: CHECK_LABELS['collector-exports'] });
    const t3 = Date.now();
    const after = await metrics(collectorMetricsUrl);
    const sentDelta = (sumOf(after ?? [], 'otelcol_exporter_sent_spans') ?? 0) - (sumOf(collectorBefore ?? [], 'otelcol_exporter_sent_spans') ?? 0);
    const failedDelta = (sumOf(after ?? [], 'otelcol_exporter_send_failed_spans') ?? 0) - (sumOf(collectorBefore ?? [], 'otelcol_exporter_send_failed_spans') ?? 0);
    record({ name: 'collector-exports', ok: after !== undefined && sentDelta >= 1 && failedDelta === 0, ms: Date.now() - t3, detail: after ? `otelcol_exporter_sent_spans +${sentDelta}, otelcol_exporter_send_failed_spans +${failedDelta}` : "the collector's metrics did not answer" });
  }

  // 4. The backend's own spans.
  const service = stack.backend?.settings.serviceName?.value;
  if (service && !sent.ok && route.label.startsWith('backend')) {
    // The canary went the backend's way with the backend's trust and could not even be sent.
    record({ name: 'backend-spans', ok: false, ms: 0, detail: `not waited for: the canary could not be sent over the backend's own hop (${route.label})` });
  } else if (service) {
    emit({ type: 'check-start', name: 'backend-spans', label: CHECK_LABELS['backend-spans'] });
    const t4 = Date.now();
    const since = BigInt(opts.since) * 1_000_000n;
    const startSec = Math.floor(opts.since / 1000) - 1;
    let count = 0;
    const reportDue = progressDue();
    while (Date.now() < deadline) {
      const r = await httpGet(`${api}/api/search?tags=${encodeURIComponent(`service.name=${service}`)}&start=${startSec}&end=${Math.ceil(Date.now() / 1000) + 60}&limit=20`, { timeoutMs: 2000 });
      if (r.ok && r.status === 200) {
        const traces = (JSON.parse(r.body) as { traces?: Array<{ startTimeUnixNano: string }> }).traces ?? [];
        count = traces.filter((x) => BigInt(x.startTimeUnixNano) >= since).length;
        if (count > 0) break;
      }
      // Progress about every 250 ms, as restarts report it; but the flush can come any moment: look often.
      if (reportDue()) emit({ type: 'check-waiting', name: 'backend-spans', elapsedMs: Date.now() - t4, detail: `waiting for ${service}'s batch exporter to flush` });
      await sleep(100);
    }
    record({ name: 'backend-spans', ok: count > 0, ms: Date.now() - t4, detail: count > 0 ? `${count} trace(s) of ${service} started after ${new Date(opts.since).toISOString()}` : `no trace of ${service} since ${new Date(opts.since).toISOString()} within ${opts.timeoutMs / 1000} s` });
  }

  const ok = checks.every((c) => c.ok);
  return { ok, checks, canary: { traceId: sent.traceId, url: canaryUrl }, failure: ok ? null : await likelyCause(stack, opts.cwd, checks, route) };
}

/** The failing hop and its likely cause, from a fresh diagnosis. */
async function likelyCause(stack: Stack, cwd: string, checks: Check[], route: Route): Promise<VerifyResult['failure']> {
  const d = await diagnose(stack, { timeoutMs: 1500, cwd });
  const f = d.findings.find((x) => x.severity === 'error');
  if (f) return { hop: f.where, cause: f.title, finding: f.id };
  const failed = checks.find((c) => !c.ok)!;
  return { hop: failed.name === 'backend-spans' ? 'backend' : route.label, cause: failed.detail, finding: null };
}
