/**
 * An empty OTLP `Export` call: OK means an OTLP/gRPC receiver, UNIMPLEMENTED another gRPC
 * server (Tempo's 9095), anything else says why the call could not be made. The request is
 * encoded from the real OTLP definitions (an empty ExportTraceServiceRequest).
 */
import * as grpc from '@grpc/grpc-js';
import tls, { type PeerCertificate } from 'node:tls';
import { traceService } from '../sandbox/otlp.js';
import { startDeadline } from './deadline.js';

export interface OtlpProbe {
  ok: boolean;
  /** grpc status name, e.g. OK, UNIMPLEMENTED, UNAVAILABLE, DEADLINE_EXCEEDED. */
  status: string;
  code: number;
  message: string;
  ms: number;
}

export interface OtlpProbeOptions {
  timeoutMs: number;
  tls: boolean;
  /** Verify against this CA; without it (and tls), verification is skipped: we only ask what the port is. */
  ca?: Buffer;
  verify?: boolean;
  serverName?: string;
}

export async function probeOtlpGrpc(host: string, port: number, o: OtlpProbeOptions): Promise<OtlpProbe> {
  const started = Date.now();
  const verify =
    o.verify === false ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
    : o.serverName ? { checkServerIdentity: (_h: string, cert: PeerCertificate) => tls.checkServerIdentity(o.serverName!, cert) }
    : {};
  const creds = o.tls ? grpc.credentials.createSsl(o.ca ?? null, null, null, verify) : grpc.credentials.createInsecure();
  const Client = grpc.makeGenericClientConstructor(traceService(), 'TraceService');
  const client = new Client(`${host.includes(':') ? `[${host}]` : host}:${port}`, creds, { 'grpc.max_reconnect_backoff_ms': 200 }) as unknown as grpc.Client & {
    Export(req: unknown, cb: (err: grpc.ServiceError | null) => void): grpc.ClientUnaryCall;
  };
  try {
    // Our deadline rather than grpc's: it does not expire while this process was too busy to read the answer.
    let expired = false;
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.Export({ resourceSpans: [] }, (e) => {
        stop();
        resolve(e);
      });
      const stop = startDeadline(o.timeoutMs, () => {
        expired = true;
        call.cancel();
      });
    });
    if (expired) return { ok: false, status: 'DEADLINE_EXCEEDED', code: grpc.status.DEADLINE_EXCEEDED, message: `${grpc.status.DEADLINE_EXCEEDED} DEADLINE_EXCEEDED: no answer within ${o.timeoutMs} ms`, ms: Date.now() - started };
    const code = err?.code ?? grpc.status.OK;
    const status = Object.entries(grpc.status).find(([, v]) => v === code)?.[0] ?? String(code);
    return { ok: !err, status, code, message: err ? `${code} ${status}: ${err.details}` : 'OK', ms: Date.now() - started };
  } finally {
    client.close();
  }
}
