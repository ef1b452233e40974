/**
 * What a port really is: TLS or plaintext, an OTLP/gRPC receiver or another gRPC server,
 * an HTTP/1 server, nothing, or silent. A port that never answers costs one deadline: the
 * later steps run only when the handshake step got an answer.
 */
import { httpGet, type HttpResult } from '../probe/http.js';
import { probeOtlpGrpc, type OtlpProbe } from '../probe/otlp-grpc.js';
import { probeTls, type TlsProbe } from '../probe/tls.js';

export type PortKind = 'otlp-grpc' | 'grpc' | 'http' | 'closed' | 'silent' | 'unknown';

export interface PortProbe {
  host: string;
  port: number;
  tls: TlsProbe;
  otlp?: OtlpProbe;
  http?: HttpResult;
  kind: PortKind;
  /** TLS in use on the port (known only when it answered). */
  secure?: boolean;
  ms: number;
}

export async function probePort(host: string, port: number, timeoutMs: number, servername?: string): Promise<PortProbe> {
  const started = Date.now();
  const tls = await probeTls(host, port, { timeoutMs, servername });
  const base = { host, port, tls };
  if (!tls.tls && tls.reason === 'refused') return { ...base, kind: 'closed', ms: Date.now() - started };
  if (!tls.tls && tls.reason === 'timeout') return { ...base, kind: 'silent', ms: Date.now() - started };
  const secure = tls.tls;
  const otlp = await probeOtlpGrpc(host, port, { timeoutMs, tls: secure });
  if (otlp.ok) return { ...base, otlp, kind: 'otlp-grpc', secure, ms: Date.now() - started };
  if (otlp.status === 'UNIMPLEMENTED') return { ...base, otlp, kind: 'grpc', secure, ms: Date.now() - started };
  const http = await httpGet(`${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/`, { timeoutMs, verify: false });
  return { ...base, otlp, http, kind: http.ok && http.status !== undefined ? 'http' : 'unknown', secure, ms: Date.now() - started };
}

export function describePort(p: PortProbe): string {
  const tlsText = p.tls.tls ? `TLS${p.tls.alpn ? ` (ALPN ${p.tls.alpn})` : ''}` : 'plaintext';
  switch (p.kind) {
    case 'closed':
      return 'connection refused';
    case 'silent':
      return p.tls.tls ? 'no answer' : p.tls.error;
    case 'otlp-grpc':
      return `${tlsText}; OTLP/gRPC Export: OK`;
    case 'grpc':
      return `${tlsText}; OTLP/gRPC Export: ${p.otlp!.message}`;
    case 'http':
      return `${tlsText}; answers HTTP/1 (status ${p.http!.status}), not gRPC; OTLP/gRPC Export: ${p.otlp!.message}`;
    default:
      return `${tlsText}; OTLP/gRPC Export: ${p.otlp?.message ?? '?'}`;
  }
}
