/** Certificate questions answered from PEM text: is this chain signed by that CA, does it cover that name. */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';

export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** True when a CA in `caPem` is, or signed, a certificate of the chain the server sent. */
export function chainTrustedBy(chainPem: string, caPem: string): boolean {
  const chain = pemBlocks(chainPem).map((p) => new X509Certificate(p));
  const cas = pemBlocks(caPem).flatMap((p) => {
    try {
      return [new X509Certificate(p)];
    } catch {
      return [];
    }
  });
  return chain.some((c) => cas.some((ca) => ca.fingerprint256 === c.fingerprint256 || (c.checkIssued(ca) && c.verify(ca.publicKey))));
}

/** Does a certificate with these SANs (`DNS:x`, `IP:y`) cover the dialled name? */
export function certCovers(sans: string[], name: string): boolean {
  if (net.isIP(name)) return sans.includes(`IP:${name}`);
  return sans.some((s) => {
    if (!s.startsWith('DNS:')) return false;
    const pattern = s.slice(4).toLowerCase();
    const host = name.toLowerCase();
    if (pattern.startsWith('*.')) return host.split('.').slice(1).join('.') === pattern.slice(2) && host.split('.').length === pattern.split('.').length;
    return pattern === host;
  });
}

/** What Go would list after "certificate is valid for": the IPs when an IP was dialled, else the names. */
export function validFor(sans: string[], name: string): string {
  const ips = sans.filter((s) => s.startsWith('IP:')).map((s) => s.slice(3));
  const dns = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  return (net.isIP(name) ? ips : dns).join(', ') || sans.join(', ');
}
