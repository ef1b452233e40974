/**
 * Certificates for the sandbox, made with openssl when a sandbox is created (none are
 * committed). Like the seed stack, Tempo's certificate is self-signed (it is its own CA),
 * so an untrusting Node client reports "self-signed certificate" as in the reference capture.
 * Options make an expired one, or one whose SANs do not include the dialled name.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface CertOptions {
  /** Subject alternative names (default: DNS localhost, IP 127.0.0.1). */
  sans?: string[];
  /** Validity window (default: from an hour ago for 365 days). */
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

export interface CertPair {
  cert: string;
  key: string;
}

const DEFAULT_SANS = ['DNS:localhost', 'IP:127.0.0.1'];

function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A self-signed server certificate (P-256) written as `<base>.crt` and `<base>.key` (0600). */
export async function makeSelfSignedCert(base: string, options: CertOptions = {}): Promise<CertPair> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'tw-cert-'));
  try {
    const now = Date.now();
    const notBefore = options.notBefore ?? new Date(now - 3600_000);
    const notAfter = options.notAfter ?? new Date(now + 365 * 86400_000);
    const sans = (options.sans ?? DEFAULT_SANS).join(',');
    await writeFile(path.join(work, 'index.txt'), '');
    await writeFile(path.join(work, 'serial'), `${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}\n`);
    // `openssl ca` is the one OpenSSL 3.0 command that accepts explicit start and end dates.
    await writeFile(
      path.join(work, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = sandbox',
        '[ sandbox ]',
        `database = ${path.join(work, 'index.txt')}`,
        `serial = ${path.join(work, 'serial')}`,
        `new_certs_dir = ${work}`,
        'default_md = sha256',
        'policy = any',
        'copy_extensions = copy',
        'unique_subject = no',
        '[ any ]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    const key = path.join(work, 'server.key');
    const csr = path.join(work, 'server.csr');
    const crt = path.join(work, 'server.crt');
    await execa('openssl', [
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
      '-subj', `/CN=${options.commonName ?? 'localhost'}`,
      '-addext', `subjectAltName=${sans}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    await execa('openssl', [
      'ca', '-batch', '-notext', '-config', path.join(work, 'ca.cnf'), '-selfsign', '-keyfile', key, '-in', csr, '-out', crt,
      '-startdate', opensslDate(notBefore), '-enddate', opensslDate(notAfter),
    ]);
    const pair = { cert: await readFile(crt, 'utf8'), key: await readFile(key, 'utf8') };
    await writeFile(`${base}.crt`, pair.cert, { mode: 0o644 });
    await writeFile(`${base}.key`, pair.key, { mode: 0o600 });
    await chmod(`${base}.key`, 0o600);
    return pair;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
