import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSelfSignedCert } from '../../src/sandbox/certs.js';
import { tempDir } from '../helpers/tmp.js';

describe('sandbox certificates', () => {
  it('are self-signed for localhost and 127.0.0.1, valid now, with the key 0600', async () => {
    const dir = tempDir();
    const { cert } = await makeSelfSignedCert(path.join(dir, 'tempo'));
    const x = new X509Certificate(cert);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.checkIssued(x)).toBe(true);
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(x.validFrom).getTime()).toBeLessThan(Date.now());
    expect(statSync(path.join(dir, 'tempo.key')).mode & 0o777).toBe(0o600);
  });

  it('can be expired, or lack the dialled name', async () => {
    const dir = tempDir();
    const expired = new X509Certificate((await makeSelfSignedCert(path.join(dir, 'old'), { notBefore: new Date(Date.now() - 60 * 86400_000), notAfter: new Date(Date.now() - 30 * 86400_000) })).cert);
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    const other = new X509Certificate((await makeSelfSignedCert(path.join(dir, 'other'), { sans: ['DNS:tempo.internal', 'IP:127.0.0.9'] })).cert);
    expect(other.checkHost('localhost')).toBeUndefined();
    expect(other.checkIP('127.0.0.1')).toBeUndefined();
    expect(other.checkHost('tempo.internal')).toBe('tempo.internal');
  });
});
