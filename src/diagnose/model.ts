/** The diagnosis vocabulary, shared by the checks, the report, the JSON output and the repairs. */
export type RepairId = 'direct' | 'tempo-plaintext' | 'collector-tls';
export const REPAIRS: RepairId[] = ['direct', 'tempo-plaintext', 'collector-tls'];

export type Severity = 'error' | 'warning' | 'info';

export type Evidence =
  | { kind: 'file'; file: string; line: number; text: string }
  | { kind: 'probe'; target: string; result: string }
  | { kind: 'log'; source: string; line: number; text: string }
  | { kind: 'metric'; source: string; text: string };

export interface Finding {
  /** Stable id (documented in the README), e.g. `tempo-internal-grpc-port`. */
  id: string;
  severity: Severity;
  /** The hop (`backend→collector`, `collector→tempo`, `backend→tempo`) or a component name. */
  where: string;
  title: string;
  explanation: string;
  evidence: Evidence[];
  fixedBy: RepairId[];
}

export type HopStatus = 'ok' | 'failing' | 'unknown';

export interface Hop {
  id: string;
  from: string;
  to: string;
  /** host:port as dialled. */
  address: string;
  protocol: 'grpc' | 'http/protobuf';
  tls: boolean;
  status: HopStatus;
  detail: string;
}

export interface Recommendation {
  repair: RepairId;
  why: string;
  runnerUp?: RepairId;
  runnerUpWhy?: string;
}

export type Language = 'rust' | 'node' | 'go' | 'python' | 'java' | 'unknown';

/** SDKs that read OTEL_EXPORTER_OTLP_CERTIFICATE (Rust's opentelemetry-otlp does not). */
export function readsCertificateEnv(lang: Language): boolean {
  return lang !== 'rust';
}

/** The protocol an SDK uses when OTEL_EXPORTER_OTLP_PROTOCOL is unset. */
export function defaultProtocol(lang: Language): 'grpc' | 'http/protobuf' {
  return lang === 'rust' || lang === 'python' || lang === 'go' ? 'grpc' : 'http/protobuf';
}

export type CheckName = 'canary' | 'tempo-counters' | 'collector-exports' | 'backend-spans';

export const CHECK_LABELS: Record<CheckName, string> = {
  canary: 'canary trace found in Tempo',
  'tempo-counters': "Tempo's counters moved",
  'collector-exports': "the collector's exporter sent without failures",
  'backend-spans': "the backend's own spans arrive",
};
