import { Ajv } from 'ajv';
import { execa } from 'execa';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDemo, stopDemo, type DemoState } from '../../src/sandbox/demo.js';
import { httpGet } from '../../src/probe/http.js';
import { BIN, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/sandbox.js';
import { changed, tree } from '../helpers/tree.js';
import { usePrivateTmux } from '../helpers/tmux.js';

// A private tmux server for this file; the CLI processes inherit it.
usePrivateTmux('fix');

const DOCS = path.resolve(import.meta.dirname, '..', '..', 'docs');
const ajv = new Ajv({ allErrors: true });
ajv.addSchema(JSON.parse(readFileSync(path.join(DOCS, 'verify.schema.json'), 'utf8')));
const validateFix = ajv.compile(JSON.parse(readFileSync(path.join(DOCS, 'fix.schema.json'), 'utf8')));
const validateVerify = ajv.getSchema('https://trace-wizard.dev/schemas/verify-v1.json')!;

/** What trace-wizard owns in the stack folder: its backups, logs, pidfiles. */
const OWN = ['.trace-wizard', 'run'];

async function demo(backend: 'node' | 'rust-like' = 'node'): Promise<DemoState> {
  const { state } = await startDemo({ seedPorts: false, useTmux: true, backend, readyDelayMs: 500 });
  onTestFinished(() => stopDemo(state.dir).then(() => undefined));
  return state;
}

/** Independently of the wizard: has Tempo traces of the backend that started after `since`? */
async function backendSpansArrive(s: DemoState, since: number): Promise<boolean> {
  const found = await eventually(async () => {
    const r = await httpGet(`https://localhost:${s.ports.tempoHttp}/api/search?tags=${encodeURIComponent('service.name=ag-backend')}&limit=50`, { timeoutMs: 2000 });
    const traces = r.ok ? ((JSON.parse(r.body) as { traces: Array<{ startTimeUnixNano: string }> }).traces ?? []) : [];
    return traces.some((t) => BigInt(t.startTimeUnixNano) > BigInt(since) * 1_000_000n) ? true : undefined;
  }, 15_000);
  return found === true;
}

const EXPECTED: Record<string, string[]> = {
  direct: ['backend/.env', 'backend/tempo-ca.pem'],
  'tempo-plaintext': ['otel-collector-config.yaml', 'tempo.yaml'],
  'collector-tls': ['otel-collector-config.yaml', 'tempo-ca.pem'],
};

describe('trace-wizard fix, from the seed state', () => {
  for (const option of ['direct', 'tempo-plaintext', 'collector-tls'] as const) {
    it(`${option}: exits 0, the backend's spans reach Tempo, only the intended files change, rollback restores every byte`, async () => {
      const s = await demo();
      const before = tree(s.dir, OWN);
      const r = await runCli(['fix', '--option', option, '--yes', '--json', '--timeout', '20'], { cwd: s.dir, timeoutMs: 90_000 });
      const j = JSON.parse(r.stdout);
      expect(validateFix(j), JSON.stringify(validateFix.errors)).toBe(true);
      expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
      expect(j).toMatchObject({ ok: true, option, rolledBack: false });
      expect(j.checks.map((c: { name: string; ok: boolean }) => c.ok)).not.toContain(false);
      const fixedAt = Date.now();
      expect(await backendSpansArrive(s, fixedAt)).toBe(true);
      expect(changed(before, tree(s.dir, OWN))).toEqual(EXPECTED[option]);
      for (const out of [r.stdout, r.stderr]) expect(out).not.toContain(s.secret);

      const back = await runCli(['rollback', '--last', '--yes'], { cwd: s.dir, timeoutMs: 90_000 });
      expect(back.exitCode, back.stderr).toBe(0);
      expect(changed(before, tree(s.dir, OWN))).toEqual([]);
    }, 120_000);
  }

  it('--dry-run shows the plan and writes nothing', async () => {
    const s = await demo();
    const before = tree(s.dir);
    const r = await runCli(['fix', '--option', 'collector-tls', '--dry-run'], { cwd: s.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('-    endpoint: localhost:');
    expect(r.stdout).toContain('+      ca_file: ./tempo-ca.pem');
    expect(r.stdout).toContain('Dry run: nothing was written.');
    expect(tree(s.dir)).toEqual(before);
  }, 60_000);

  it('without --yes and without a terminal, names --yes and changes nothing (exit 2)', async () => {
    const s = await demo();
    const before = tree(s.dir, OWN);
    const r = await runCli(['fix', '--option', 'direct'], { cwd: s.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(changed(before, tree(s.dir, OWN))).toEqual([]);
  }, 60_000);

  it('direct with the Rust-like backend: refused without --force; with it, exit 1, files restored, the stack as before', async () => {
    const s = await demo('rust-like');
    const before = tree(s.dir, OWN);
    const refused = await runCli(['fix', '--option', 'direct', '--yes'], { cwd: s.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('opentelemetry-otlp crate ignores OTEL_EXPORTER_OTLP_CERTIFICATE');
    expect(refused.stderr).toContain('.with_tls_config(ClientTlsConfig::new().ca_certificate(ca)');
    const r = await runCli(['fix', '--option', 'direct', '--yes', '--force', '--json', '--timeout', '6'], { cwd: s.dir, timeoutMs: 90_000 });
    expect(r.exitCode, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(validateFix(j), JSON.stringify(validateFix.errors)).toBe(true);
    expect(j.failure).toMatch(/^the proof failed on backend→tempo: The backend does not trust the self-signed certificate/);
    expect(j.rollback).toMatchObject({ restored: ['backend/.env'], removed: ['backend/tempo-ca.pem'], originalAnswers: true });
    expect(changed(before, tree(s.dir, OWN))).toEqual([]);
  }, 120_000);

  it('with Tempo stopped: exit 1, files restored, the stack as before', async () => {
    const s = await demo();
    await execa('tmux', ['send-keys', '-t', `=${s.tmux!.session}:tempo`, 'C-c']);
    await eventually(async () => ((await httpGet(`https://localhost:${s.ports.tempoHttp}/ready`, { timeoutMs: 500 })).ok ? undefined : true));
    const before = tree(s.dir, OWN);
    const r = await runCli(['fix', '--option', 'collector-tls', '--yes', '--json', '--timeout', '4'], { cwd: s.dir, timeoutMs: 90_000 });
    expect(r.exitCode, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.creates[0].why).toContain("read from the file Tempo's config names");
    expect(j.checks.find((c: { name: string }) => c.name === 'canary')).toMatchObject({ ok: false });
    expect(j.rollback.originalAnswers).toBe(true);
    expect(changed(before, tree(s.dir, OWN))).toEqual([]);
  }, 120_000);

  it('an interrupt (SIGINT) leaves every file before or after, and the session recoverable', async () => {
    const s = await demo();
    const files = ['backend/.env', 'backend/tempo-ca.pem'];
    const read = () => files.map((f) => { try { return readFileSync(path.join(s.dir, f, ), 'utf8'); } catch { return null; } });
    const before = read();
    const after = await (async () => {
      // What the files look like once applied: from a dry run's diff we cannot rebuild them, so run
      // the same fix without restarting, take the result, and undo it.
      const r = await runCli(['fix', '--option', 'direct', '--yes', '--no-restart'], { cwd: s.dir });
      expect(r.exitCode, r.stderr).toBe(0);
      const a = read();
      expect((await runCli(['rollback', '--last', '--yes', '--no-restart'], { cwd: s.dir })).exitCode).toBe(0);
      expect(read()).toEqual(before);
      return a;
    })();
    const outcomes = new Set<string>();
    for (const delay of [0, 120, 260, 400]) {
      const child = execa('node', [BIN, 'fix', '--option', 'direct', '--yes', '--no-restart'], { cwd: s.dir, env: { CI: 'true', TRACE_WIZARD_TEST_STEP_DELAY_MS: '150' }, reject: false, buffer: false, stdin: 'ignore' });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d));
      await eventually(() => (out.includes('Restarts:') ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGINT');
      const res = await child;
      const now = read();
      files.forEach((_, i) => expect([before[i], after[i]]).toContainEqual(now[i]));
      outcomes.add(JSON.stringify(now.map((x, i) => (x === before[i] ? 'before' : 'after'))));
      if (res.exitCode === 3) {
        const list = await runCli(['stack'], { cwd: s.dir });
        if (JSON.stringify(now) !== JSON.stringify(before)) expect(list.stderr).toMatch(/Backup session \S+ \(direct\) was interrupted/);
      }
      const back = await runCli(['rollback', '--last', '--yes', '--no-restart'], { cwd: s.dir });
      expect([0, 2]).toContain(back.exitCode); // 2: nothing to roll back when it stopped before the backup
      expect(read()).toEqual(before);
    }
    // The interrupts really landed at different points of the apply.
    expect(outcomes.size).toBeGreaterThan(1);
  }, 180_000);
});

describe('trace-wizard verify', () => {
  it('fails on the seed stack naming the hop and the cause, and passes once repaired', async () => {
    const s = await demo();
    const broken = await runCli(['verify', '--json', '--timeout', '3'], { cwd: s.dir, timeoutMs: 60_000 });
    expect(broken.exitCode).toBe(1);
    const b = JSON.parse(broken.stdout);
    expect(validateVerify(b), JSON.stringify(validateVerify.errors)).toBe(true);
    expect(b.failure).toMatchObject({ hop: 'collector→tempo', finding: 'tempo-internal-grpc-port' });
    expect((await runCli(['fix', '--option', 'collector-tls', '--yes'], { cwd: s.dir, timeoutMs: 90_000 })).exitCode).toBe(0);
    const ok = await runCli(['verify', '--json'], { cwd: s.dir, timeoutMs: 60_000 });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(validateVerify(j)).toBe(true);
    expect(j.checks.map((c: { name: string }) => c.name)).toEqual(['canary', 'tempo-counters', 'collector-exports', 'backend-spans']);
    const trace = await httpGet(j.canary.url, { timeoutMs: 2000 });
    expect(trace.status).toBe(200);
  }, 120_000);

  it('leaves no secret in any file name, log or output', async () => {
    const s = await demo();
    const r = await runCli(['fix', '--option', 'direct', '--yes'], { cwd: s.dir, timeoutMs: 90_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(s.secret);
    const names: string[] = [];
    const walk = (d: string) => readdirSync(d, { withFileTypes: true }).forEach((e) => (names.push(e.name), e.isDirectory() && walk(path.join(d, e.name))));
    walk(s.dir);
    expect(names.join('\n')).not.toContain(s.secret);
    const manifests = readdirSync(path.join(s.dir, '.trace-wizard', 'backups')).map((id) => readFileSync(path.join(s.dir, '.trace-wizard', 'backups', id, 'manifest.json'), 'utf8'));
    expect(manifests.join('\n')).not.toContain(s.secret);
  }, 120_000);
});
