/**
 * An empty OTLP `Export` call: OK means an OTLP/gRPC receiver, UNIMPLEMENTED another gRPC
 * server (Tempo's 9095), anything else says why the call could not be made.
 *
 * The call is made with Node's own HTTP/2 client, as the gRPC wire protocol describes it: a
 * POST to the method's path whose body is one length-prefixed message, the status in the
 * `grpc-status` trailer. An empty ExportTraceServiceRequest encodes to zero bytes (every
 * field absent), so the body is the 5-byte prefix alone. Diagnosis thus needs neither
 * grpc-js nor the .proto definitions, which cost a start-up ~150 ms to load and parse.
 */
import type http2 from 'node:http2';
import { startDeadline } from './deadline.js';

export interface OtlpProbe {
  ok: boolean;
  /** grpc status name, e.g. OK, UNIMPLEMENTED, UNAVAILABLE, DEADLINE_EXCEEDED. */
  status: string;
  code: number;
  message: string;
  ms: number;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** The gRPC status codes: a code is its index (grpc/doc/statuscodes.md). */
const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** The status a gRPC client derives from an HTTP status other than 200 (grpc/doc/http-grpc-status-mapping.md). */
const FROM_HTTP_STATUS: Record<number, string> = { 400: 'INTERNAL', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'UNIMPLEMENTED', 429: 'UNAVAILABLE', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'UNAVAILABLE' };

export async function probeOtlpGrpc(host: string, port: number, o: { timeoutMs: number; tls: boolean }): Promise<OtlpProbe> {
  // Loaded on first use (~20 ms): diagnosis has its TLS probes running by then.
  const { connect } = await import('node:http2');
  const started = Date.now();
  const authority = `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: string, details: string) => {
      if (done) return;
      done = true;
      stop();
      session?.destroy();
      const code = STATUS_NAMES.indexOf(status);
      resolve({ ok: status === 'OK', status, code, message: status === 'OK' ? 'OK' : `${code} ${status}: ${details}`, ms: Date.now() - started });
    };
    const stop = startDeadline(o.timeoutMs, () => finish('DEADLINE_EXCEEDED', `no answer within ${o.timeoutMs} ms`));
    let session: http2.ClientHttp2Session | undefined;
    try {
      // We only ask what the port is: its certificate is the TLS probe's business.
      session = connect(authority, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
    } catch (e) {
      return finish('UNAVAILABLE', `cannot dial ${authority}: ${(e as Error).message}`);
    }
    // The stream and the session both report a failed connection; the stream's error wraps the cause.
    const failed = (e: Error & { cause?: NodeJS.ErrnoException }) => {
      const cause: NodeJS.ErrnoException = e.cause ?? e;
      finish('UNAVAILABLE', `connection failed: ${cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.message}`);
    };
    session.on('error', failed);
    const call = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
    let httpStatus = 0;
    const settle = (headers: http2.IncomingHttpHeaders): boolean => {
      const code = headers['grpc-status'];
      if (code === undefined) return false;
      finish(STATUS_NAMES[Number(code)] ?? 'UNKNOWN', percentDecoded(String(headers['grpc-message'] ?? '')));
      return true;
    };
    call.on('response', (headers) => {
      httpStatus = Number(headers[':status']);
      // A trailers-only answer (the usual error reply) carries the status in the headers.
      if (!settle(headers) && httpStatus !== 200) finish(FROM_HTTP_STATUS[httpStatus] ?? 'UNKNOWN', `HTTP status ${httpStatus}`);
    });
    call.on('trailers', settle);
    call.on('data', () => undefined);
    call.on('end', () => finish('INTERNAL', httpStatus === 200 ? 'the answer ended without a grpc-status' : 'no answer'));
    call.on('error', failed);
    // One message, uncompressed, of length 0: the encoding of an empty ExportTraceServiceRequest.
    call.end(Buffer.alloc(5));
  });
}

/** grpc-message is percent-encoded; a server that sends a bare `%` gets its text shown as it came. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
