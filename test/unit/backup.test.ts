import { execa } from 'execa';
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupSession } from '../../src/edit/backup.js';
import { EnvFile } from '../../src/edit/env-file.js';
import { readTextFile, writeFileAtomic } from '../../src/edit/safe-file.js';
import { UserError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { layOutSeed } from '../helpers/seed.js';
import { FIXTURES, tempDir } from '../helpers/tmp.js';

const CHILD = path.join(FIXTURES, 'apply-child.mjs');

function snapshot(files: string[]): Map<string, Buffer | null> {
  return new Map(files.map((f) => [f, existsSync(f) ? readFileSync(f) : null]));
}

describe('atomic writes', () => {
  it('keeps the mode of an existing file and creates new files 0600', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'a.env');
    writeFileSync(f, 'A=1\n');
    chmodSync(f, 0o640);
    await writeFileAtomic(f, 'A=2\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    const g = path.join(dir, 'new.pem');
    await writeFileAtomic(g, 'x');
    expect(statSync(g).mode & 0o777).toBe(0o600);
  });

  it('refuses a symlink that leads out of the stack folder', async () => {
    const outside = tempDir();
    const dir = tempDir();
    writeFileSync(path.join(outside, 'real.env'), 'A=1\n');
    symlinkSync(path.join(outside, 'real.env'), path.join(dir, '.env'));
    await expect(readTextFile(path.join(dir, '.env'), dir)).rejects.toThrowError(/outside the stack's folder/);
  });

  it('follows a symlink inside the stack and writes through to the real file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'real.env'), 'A=1\n');
    symlinkSync('real.env', path.join(dir, '.env'));
    const file = await readTextFile(path.join(dir, '.env'), dir);
    await BackupSession.apply({ root: dir, repair: 'test', changes: [{ file, after: 'A=2\n' }] });
    expect(readFileSync(path.join(dir, 'real.env'), 'utf8')).toBe('A=2\n');
    expect(statSync(path.join(dir, '.env'), { throwIfNoEntry: true }).isFile()).toBe(true);
  });
});

describe('backup sessions', () => {
  it('records before/after hashes and modes, restores byte for byte, removes created files', async () => {
    const dir = tempDir();
    const { env } = layOutSeed(dir);
    const before = readFileSync(env);
    const file = await readTextFile(env, dir);
    const edit = EnvFile.parse(file.text);
    edit.set('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://localhost:4317');
    const pem = path.join(dir, 'backend', 'tempo-ca.pem');
    const session = await BackupSession.apply({ root: dir, repair: 'direct', changes: [{ file, after: edit.toString() }], creates: [{ path: pem, content: 'PEM' }] });
    expect(session.manifest.state).toBe('applied');
    expect(statSync(session.dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(session.dir, 'manifest.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(session.dir, session.manifest.files[0].backup)).mode & 0o777).toBe(0o600);
    expect(readFileSync(env, 'utf8')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=https://localhost:4317');
    expect(existsSync(pem)).toBe(true);

    const again = await BackupSession.load(dir, session.id);
    await again.rollback();
    expect(readFileSync(env)).toEqual(before);
    expect(existsSync(pem)).toBe(false);
    expect((await BackupSession.load(dir, session.id)).manifest.state).toBe('rolled-back');
  });

  it('never names a backup after the content, so no secret reaches a file name', async () => {
    const dir = tempDir();
    const { env } = layOutSeed(dir);
    const file = await readTextFile(env, dir);
    const session = await BackupSession.apply({ root: dir, repair: 'direct', changes: [{ file, after: file.text + 'X=1\n' }] });
    const names = JSON.stringify(session.manifest) + session.dir;
    expect(names).not.toContain('s3cretpass');
  });

  it('refuses a read-only file: nothing changes and the session is marked failed', async () => {
    const dir = tempDir();
    const { env, collector } = layOutSeed(dir);
    chmodSync(collector, 0o444);
    const before = snapshot([env, collector]);
    const envFile = await readTextFile(env, dir);
    const colFile = await readTextFile(collector, dir);
    const error = await BackupSession.apply({
      root: dir,
      repair: 'collector-tls',
      changes: [
        { file: envFile, after: envFile.text + 'A=1\n' },
        { file: colFile, after: colFile.text + '# changed\n' },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/otel-collector-config\.yaml: is read-only \(mode 444\); nothing was changed/);
    expect(snapshot([env, collector])).toEqual(before);
    const [session] = await BackupSession.list(dir);
    expect(session.manifest.state).toBe('failed');
  });

  it('survives SIGKILL at any moment: every file is before or after, and rollback restores all', async () => {
    const runs = 60;
    const outcomes = { untouched: 0, partial: 0, complete: 0 };
    for (let run = 0; run < runs; run++) {
      const dir = tempDir();
      const { env, collector, tempo } = layOutSeed(dir);
      const pem = path.join(dir, 'backend', 'tempo-ca.pem');
      const files = [env, collector, tempo, pem];
      const before = snapshot(files);
      // Learn the after state once, from a run that is not interrupted.
      const child = execa('node', [CHILD, dir], { env: { TRACE_WIZARD_TEST_STEP_DELAY_MS: '15' }, reject: false, buffer: false });
      await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('applying') && resolve()));
      // The apply takes five 15 ms steps plus its own I/O: kill anywhere in it, or just after.
      const delay = Math.floor(Math.random() * 110);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await child;
      const afterKill = snapshot(files);
      const after = await expectedAfter();
      const changed = files.filter((f) => !isDeepEqualBuffer(afterKill.get(f), before.get(f))).length;
      outcomes[changed === 0 ? 'untouched' : changed === files.length ? 'complete' : 'partial']++;
      for (const f of files) {
        const now = afterKill.get(f);
        const ok = isDeepEqualBuffer(now, before.get(f)) || isDeepEqualBuffer(now, after.get(path.relative(dir, f)) ?? null);
        expect(ok, `run ${run} (killed after ${delay} ms): ${path.relative(dir, f)} is neither before nor after`).toBe(true);
      }
      for (const s of await BackupSession.list(dir)) if (s.manifest.state !== 'rolled-back') await s.rollback();
      expect(snapshot(files), `run ${run}: rollback did not restore every original`).toEqual(before);
    }
    // The kills must really land between the steps, not only before or after them.
    expect(outcomes.partial, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(5);
  }, 120_000);
});

function isDeepEqualBuffer(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  return a === b || (a != null && b != null && Buffer.compare(a, b) === 0);
}

let afterCache: Map<string, Buffer> | undefined;
/** The after state of the child's change, by relative path, from one full run. */
async function expectedAfter(): Promise<Map<string, Buffer>> {
  if (afterCache) return afterCache;
  const dir = tempDir();
  const { env, collector, tempo } = layOutSeed(dir);
  const r = await execa('node', [CHILD, dir]);
  expect(r.stdout).toMatch(/^applied /m);
  afterCache = new Map([env, collector, tempo, path.join(dir, 'backend', 'tempo-ca.pem')].map((f) => [path.relative(dir, f), readFileSync(f)]));
  return afterCache;
}

describe('trace-wizard rollback', () => {
  async function applied(dir: string) {
    const { env } = layOutSeed(dir);
    const file = await readTextFile(env, dir);
    const edit = EnvFile.parse(file.text);
    edit.set('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://localhost:4317');
    return { env, before: readFileSync(env), session: await BackupSession.apply({ root: dir, repair: 'direct', changes: [{ file, after: edit.toString() }] }) };
  }

  it('lists sessions and rolls back the last one with --yes', async () => {
    const dir = tempDir();
    const { env, before, session } = await applied(dir);
    const list = await runCli(['rollback', '--list'], { cwd: dir });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain(session.id);
    expect(list.stdout).toContain('applied');
    const r = await runCli(['rollback', '--last', '--yes'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('restored backend/.env');
    expect(readFileSync(env)).toEqual(before);
  });

  it('asks for --yes when there is no terminal', async () => {
    const dir = tempDir();
    const { env } = await applied(dir);
    const changed = readFileSync(env);
    const r = await runCli(['rollback', '--last'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(readFileSync(env)).toEqual(changed);
  });

  it('refuses to overwrite a file changed after the session (exit 1, naming it) unless --force', async () => {
    const dir = tempDir();
    const { env, before, session } = await applied(dir);
    writeFileSync(env, readFileSync(env, 'utf8') + 'EDITED_BY_HAND=1\n');
    const r = await runCli(['rollback', session.id, '--yes', '--json'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('backend/.env changed after session');
    expect(readFileSync(env, 'utf8')).toContain('EDITED_BY_HAND=1');
    const forced = await runCli(['rollback', session.id, '--yes', '--force', '--json'], { cwd: dir });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ id: session.id, state: 'rolled-back', restored: ['backend/.env'] });
    expect(readFileSync(env)).toEqual(before);
  });

  it('reports an interrupted session on the next run', async () => {
    const dir = tempDir();
    const { session } = await applied(dir);
    const manifestPath = path.join(session.dir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...m, state: 'in-progress', pid: 999999 }));
    const r = await runCli(['stack'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`Backup session ${session.id} (direct) was interrupted`);
    expect(r.stderr).toContain(`trace-wizard rollback ${session.id}`);
  });

  it('rejects a bad session id and a missing target with exit 2', async () => {
    const dir = tempDir();
    expect((await runCli(['rollback', '../etc', '--yes'], { cwd: dir })).exitCode).toBe(2);
    expect((await runCli(['rollback', 'nope', '--yes'], { cwd: dir })).exitCode).toBe(2);
    const none = await runCli(['rollback'], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('--last');
  });
});
