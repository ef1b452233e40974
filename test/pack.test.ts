import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('the packed package', () => {
  it('installs from the tarball and runs --help from the install', async () => {
    const out = tempDir('tw-pack-');
    await execa('npm', ['pack', '--pack-destination', out, '--ignore-scripts'], { cwd: ROOT });
    const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^trace-wizard-\d+\.\d+\.\d+\.tgz$/);
    const { stdout: listing } = await execa('tar', ['-tzf', path.join(out, tarball)]);
    expect(listing).toContain('package/dist/cli.js');
    expect(listing).toContain('package/bin/trace-wizard.js');
    expect(listing).not.toContain('package/test/');

    const app = tempDir('tw-install-');
    await execa('npm', ['init', '-y'], { cwd: app });
    await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(out, tarball)], { cwd: app });
    const r = await execa(path.join(app, 'node_modules', '.bin', 'trace-wizard'), ['--help'], { cwd: app, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('trace-wizard <command> [flags]');
    expect(r.stdout).toMatch(/^  fix +Apply one of the three repairs/m);
  }, 180_000);
});
