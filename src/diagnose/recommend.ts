/**
 * Which of the three repairs to recommend, and why, from the stack and the findings.
 * The reasoning, in order:
 * - `direct` gives the shortest path that keeps TLS and verifies Tempo's certificate — when
 *   the backend's SDK can trust that certificate from its .env (Rust's cannot), and the
 *   collector adds nothing on the way (a pass-through, no processors) or is itself broken
 *   on the backend's side;
 * - otherwise `collector-tls`: it repairs the collector → Tempo hop keeping TLS, restarts
 *   only the collector, and leaves the backend untouched;
 * - `tempo-plaintext` when Tempo's receiver has no TLS anyway, or when neither of the
 *   others can work; it is the simplest, but it drops TLS on Tempo's OTLP port.
 */
import type { Stack } from '../stack/stack.js';
import { readsCertificateEnv, type Finding, type Hop, type Language, type Recommendation, type RepairId } from './model.js';

export interface RecommendationInput {
  stack: Stack;
  language: Language;
  hops: Hop[];
  findings: Finding[];
}

export const REPAIR_SUMMARY: Record<RepairId, string> = {
  direct: "the backend sends straight to Tempo's OTLP receiver over TLS, trusting Tempo's certificate",
  'tempo-plaintext': "Tempo's OTLP receiver accepts plaintext, and the collector sends to it with tls.insecure",
  'collector-tls': "the collector sends to Tempo's OTLP receiver over TLS, trusting Tempo's certificate",
};

/** What each repair touches, restarts and trades off: the chooser's panel. */
export const REPAIR_DETAILS: Record<RepairId, { changes: string; restarts: string; security: string }> = {
  direct: {
    changes: "the backend's .env (endpoint, protocol, trusted certificate) and a new tempo-ca.pem beside it",
    restarts: 'the backend',
    security: "TLS all the way to Tempo, with Tempo's certificate verified; the collector is bypassed",
  },
  'tempo-plaintext': {
    changes: "tempo.yaml (the receiver's tls block goes) and the collector's exporter",
    restarts: 'Tempo (15–20 s until ready) and the collector',
    security: "no TLS on Tempo's OTLP port: traces travel unencrypted, and a 0.0.0.0 receiver is open to the network",
  },
  'collector-tls': {
    changes: "the collector's exporter (endpoint, tls.ca_file) and a new tempo-ca.pem",
    restarts: 'the collector',
    security: "TLS from the collector to Tempo, with Tempo's certificate verified",
  },
};

/** Why a repair is or is not the recommended one, for the chooser's panel. */
export function whyFor(repair: RepairId, rec: Recommendation | null | undefined, language: Language): string {
  if (rec?.repair === repair) return rec.why;
  if (repair === 'direct' && !readsCertificateEnv(language)) return "Not recommended: Rust's opentelemetry-otlp ignores OTEL_EXPORTER_OTLP_CERTIFICATE, so the proof will likely fail.";
  if (rec?.runnerUp === repair) return `Runner-up. ${rec.runnerUpWhy ?? ''}`;
  return rec ? `Not recommended for this stack: ${rec.repair} fits it better.` : 'The pipeline works: no repair is needed.';
}

export function recommend(input: RecommendationInput): Recommendation | undefined {
  const { stack, language, hops, findings } = input;
  if (!findings.some((f) => f.severity === 'error')) return undefined;
  const tempoTls = stack.tempo?.settings.receivers.some((r) => r.protocol === 'grpc' && r.tls) ?? false;
  const collectorInPath = hops.some((h) => h.id === 'backend→collector');
  const backendToCollectorFails = hops.some((h) => h.id === 'backend→collector' && h.status === 'failing');
  const canTrust = readsCertificateEnv(language);
  const passThrough = isPassThrough(stack);
  const reasons: Record<RepairId, string> = {
    direct: canTrust
      ? `${collectorInPath ? (backendToCollectorFails ? 'The backend cannot reach the collector either, so' : 'The collector only passes spans on here (no processors, one exporter), so') : 'There is no collector on the way, so'} the shortest secure path is backend → Tempo over TLS: the backend's SDK reads OTEL_EXPORTER_OTLP_CERTIFICATE and can trust Tempo's certificate; only the backend restarts.`
      : "Not for this backend: Rust's opentelemetry-otlp ignores OTEL_EXPORTER_OTLP_CERTIFICATE, so it cannot trust Tempo's self-signed certificate without a code change.",
    'collector-tls': 'It repairs the collector → Tempo hop and keeps TLS, trusting the certificate Tempo presents; only the collector restarts and the backend is untouched.',
    'tempo-plaintext': tempoTls
      ? "It is the simplest change, but it drops TLS on Tempo's OTLP receiver, and Tempo needs 15–20 s after its restart before it is ready."
      : "Tempo's receiver has no TLS anyway: pointing the collector at it in plaintext is the smallest change.",
  };
  const ranking: RepairId[] = [];
  if (!tempoTls && stack.collector) ranking.push('tempo-plaintext');
  if (stack.backend && canTrust && tempoTls && (!stack.collector || passThrough || backendToCollectorFails)) ranking.push('direct');
  if (stack.collector && tempoTls && !backendToCollectorFails) ranking.push('collector-tls');
  if (stack.collector) ranking.push('tempo-plaintext');
  if (stack.backend && canTrust) ranking.push('direct');
  if (stack.backend && !stack.collector) ranking.push('tempo-plaintext');
  const order = [...new Set(ranking)];
  if (order.length === 0) return undefined;
  const [repair, runnerUp] = order;
  return { repair, why: reasons[repair], ...(runnerUp ? { runnerUp, runnerUpWhy: reasons[runnerUp] } : {}) };
}

/** A collector that only forwards: no processors in its traces pipelines and one OTLP exporter. */
function isPassThrough(stack: Stack): boolean {
  const c = stack.collector;
  if (!c) return true;
  const pipelines = (c.yaml.get(['service', 'pipelines']) ?? {}) as Record<string, { processors?: unknown[] }>;
  const processors = Object.entries(pipelines)
    .filter(([n]) => n === 'traces' || n.startsWith('traces/'))
    .some(([, p]) => Array.isArray(p?.processors) && p.processors.length > 0);
  return !processors && c.settings.exporters.filter((e) => e.inTracesPipeline).length <= 1;
}
