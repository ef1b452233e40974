/**
 * TLS handshake probe: whether a port speaks TLS, and what its certificate says — subject,
 * issuer, SANs, validity, self-signed, trusted by the system store or by a given CA, and
 * whether the dialled name matches. The chain is kept as PEM so a repair can trust it.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { startDeadline } from './deadline.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  sans: string[];
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
  fingerprint256: string;
}

export type TlsProbe =
  | {
      tls: true;
      ms: number;
      alpn: string | false;
      certificate: CertificateInfo;
      /** PEM of every certificate the server sent, leaf first. */
      chainPem: string;
      trustedBySystem: boolean;
      systemError?: string;
      trustedByCa?: boolean;
      hostMatches: boolean;
    }
  | { tls: false; ms: number; reason: 'plaintext' | 'refused' | 'timeout' | 'error'; error: string };

export async function probeTls(host: string, port: number, options: { timeoutMs: number; servername?: string; ca?: Buffer }): Promise<TlsProbe> {
  const started = Date.now();
  const name = options.servername ?? host;
  const first = await handshake(host, port, name, options.timeoutMs, undefined);
  if (!first.ok) return { tls: false, ms: Date.now() - started, reason: first.reason, error: first.error };
  const leaf = first.cert;
  const certificate = describe(leaf);
  let trustedByCa: boolean | undefined;
  if (options.ca) {
    const second = await handshake(host, port, name, Math.max(100, options.timeoutMs - (Date.now() - started)), options.ca);
    trustedByCa = second.ok && second.authorized;
  }
  const x = new X509Certificate(leaf.raw);
  const hostMatches = net.isIP(name) ? x.checkIP(name) !== undefined : x.checkHost(name) !== undefined;
  return {
    tls: true,
    ms: Date.now() - started,
    alpn: first.alpn,
    certificate,
    chainPem: chainToPem(leaf),
    trustedBySystem: first.authorized,
    systemError: first.authorized ? undefined : first.authError,
    trustedByCa,
    hostMatches,
  };
}

type Handshake =
  | { ok: true; cert: DetailedPeerCertificate; alpn: string | false; authorized: boolean; authError?: string }
  | { ok: false; reason: 'plaintext' | 'refused' | 'timeout' | 'error'; error: string };

function handshake(host: string, port: number, servername: string, timeoutMs: number, ca: Buffer | undefined): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      // Node warns about an IP address as SNI name; SNI is only sent for host names.
      servername: net.isIP(servername) ? '' : servername,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(ca ? { ca } : {}),
    });
    const stop = startDeadline(timeoutMs, () => finish({ ok: false, reason: 'timeout', error: `no answer within ${timeoutMs} ms` }));
    function finish(r: Handshake): void {
      stop();
      socket.destroy();
      resolve(r);
    }
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      // Node checks the chain, not the name; the name is checked separately (hostMatches).
      const authError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      finish({ ok: true, cert, alpn: socket.alpnProtocol ?? false, authorized: socket.authorized, authError });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') return finish({ ok: false, reason: 'refused', error: 'connection refused' });
      const plaintext = /wrong version number|packet length too long|unknown protocol|record layer failure|ECONNRESET|socket hang up|disconnected before secure/i.test(`${e.code} ${e.message}`);
      finish({ ok: false, reason: plaintext ? 'plaintext' : 'error', error: e.message });
    });
  });
}

/** A certificate's SANs as `DNS:name` / `IP:address`. */
export function sansOf(x: X509Certificate): string[] {
  return (x.subjectAltName ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^IP Address:/, 'IP:'));
}

function describe(cert: DetailedPeerCertificate): CertificateInfo {
  const x = new X509Certificate(cert.raw);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    sans: sansOf(x),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    selfSigned: x.checkIssued(x) && x.verify(x.publicKey),
    fingerprint256: x.fingerprint256,
  };
}

function chainToPem(leaf: DetailedPeerCertificate): string {
  const pems: string[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    const b64 = c.raw.toString('base64').match(/.{1,64}/g)!.join('\n');
    pems.push(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
  }
  return pems.join('');
}
