/** Small network helpers the replicas share. */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isWildcard } from '../stack/endpoint.js';
import { decodeExportRequest, encodeExportResponse, fromOtlpJson, traceService, type ExportRequest } from './otlp.js';

/**
 * Where a replica really listens for a configured host. The sandbox never listens
 * beyond loopback: a wildcard becomes 127.0.0.1 and 127.0.0.2 (so that a client can still
 * dial a second local address, as it could reach the real component on another one).
 */
export function loopbackHosts(host: string): string[] {
  if (isWildcard(host)) return ['127.0.0.1', '127.0.0.2'];
  if (host === 'localhost' || host === '::1') return ['127.0.0.1'];
  return host.startsWith('127.') ? [host] : ['127.0.0.1'];
}

/** A port nobody listens on right now (on 127.0.0.1), for laying out a stack. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export function bindGrpc(server: grpc.Server, host: string, port: number, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, creds, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
}

/**
 * The way Go's TLS servers report a failed handshake, which is what users see in Tempo's log.
 * Node's OpenSSL errors are mapped onto the two messages the reference capture shows.
 */
export function goTlsHandshakeError(err: Error & { code?: string }, socket: { remoteAddress?: string; remotePort?: number }): string {
  const plaintext = /wrong version number|http request|unknown protocol|packet length too long|record layer failure/i.test(err.message) || err.code === 'ERR_SSL_WRONG_VERSION_NUMBER';
  const reason = plaintext ? 'tls: first record does not look like a TLS handshake' : 'EOF';
  return `http: TLS handshake error from ${socket.remoteAddress ?? '127.0.0.1'}:${socket.remotePort ?? 0}: ${reason}`;
}

/**
 * grpc-js does not expose its HTTP/2 servers, but the TLS handshake errors are only seen
 * there. A test asserts this still works, so a grpc-js change cannot break it silently.
 */
export function onGrpcTlsError(server: grpc.Server, log: (line: string) => void): void {
  const servers = (server as unknown as { http2Servers?: Map<Http2SecureServer, unknown> }).http2Servers;
  for (const s of servers?.keys() ?? []) {
    s.on('tlsClientError', (err: Error, socket: TLSSocket) => log(goTlsHandshakeError(err, socket)));
  }
}

export type Closer = () => Promise<void>;
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** An OTLP/gRPC receiver (TLS when a pair is given) that hands each request to `onExport`. */
export async function serveOtlpGrpc(host: string, port: number, tls: TlsPair | undefined, onExport: (req: ExportRequest) => void, logTlsError?: (line: string) => void): Promise<Closer> {
  const server = new grpc.Server();
  server.addService(traceService(), {
    Export: (call: grpc.ServerUnaryCall<ExportRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      onExport(call.request);
      callback(null, {});
    },
  });
  const creds = tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false) : grpc.ServerCredentials.createInsecure();
  await bindGrpc(server, host, port, creds);
  if (tls && logTlsError) onGrpcTlsError(server, logTlsError);
  return () => new Promise((r) => server.tryShutdown(() => r()));
}

/** An HTTP(S) server on host:port; failed TLS handshakes go to `logTlsError` in Go's words. */
export async function serveHttp(host: string, port: number, tls: TlsPair | undefined, handler: http.RequestListener, logTlsError?: (line: string) => void): Promise<Closer> {
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  if (tls && logTlsError) server.on('tlsClientError', (err: Error, socket) => logTlsError(goTlsHandshakeError(err, socket)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return () =>
    new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** OTLP/HTTP `POST /v1/traces`, protobuf or JSON, answered in kind; each request goes to `onExport`. */
export function otlpHttpHandler(onExport: (req: ExportRequest) => void): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    void readBody(req).then((body) => {
      const json = (req.headers['content-type'] ?? '').includes('json');
      try {
        onExport(json ? fromOtlpJson(JSON.parse(body.toString('utf8'))) : decodeExportRequest(body));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`failed to decode request: ${(e as Error).message}`);
        return;
      }
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(encodeExportResponse());
    });
  };
}
