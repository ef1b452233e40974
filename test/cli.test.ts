import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { layOutSeed } from './helpers/seed.js';
import { tempDir } from './helpers/tmp.js';
import { tree } from './helpers/tree.js';

describe('trace-wizard CLI basics', () => {
  it('lists every command with one line in --help', async () => {
    const r = await runCli(['--help'], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ {2}stack +Show the stack/m);
    expect(r.stdout).toMatch(/^ {2}rollback +Put back the files/m);
    expect(r.stdout).toContain('Exit codes: 0 success, 1 check or repair failed, 2 bad input or usage, 3 cancelled.');
  });

  it('documents each command’s flags', async () => {
    const r = await runCli(['stack', '--help'], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    for (const f of ['--json', '--profile PATH', '--env PATH', '--collector-config PATH', '--tempo-config PATH']) expect(r.stdout).toContain(f);
  });

  it('prints the version from package.json', async () => {
    const r = await runCli(['--version'], { cwd: tempDir() });
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [['frobnicate'], "trace-wizard: unknown command 'frobnicate'", "Run 'trace-wizard --help' for usage."],
    [['--frob'], 'trace-wizard: unknown flag --frob', "Run 'trace-wizard --help' for usage."],
    [['stack', '--frob'], 'trace-wizard: stack: unknown flag --frob', "Run 'trace-wizard stack --help' for usage."],
    [['stack', 'extra'], "trace-wizard: stack: unexpected argument 'extra'", "Run 'trace-wizard stack --help' for usage."],
    [['stack', '--env'], "trace-wizard: stack: Option '--env <value>' argument missing", "Run 'trace-wizard stack --help' for usage."],
  ])('rejects %j with a one-line error, the usage hint and exit 2', async (args, line, hint) => {
    const r = await runCli(args, { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([line, hint]);
    expect(r.stdout).toBe('');
  });
});

describe('trace-wizard stack', () => {
  it('prints the seed stack with where each value comes from, and no secret', async () => {
    const dir = tempDir();
    layOutSeed(dir);
    const r = await runCli(['stack'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/endpoint \(OTEL_EXPORTER_OTLP_ENDPOINT\)\s+http:\/\/localhost:4318\s+backend\/\.env:8/);
    expect(r.stdout).toMatch(/exporter otlp\/tempo\s+localhost:9095, tls\.insecure: true\s+otel-collector-config\.yaml:10/);
    expect(r.stdout).toMatch(/OTLP receiver grpc\s+0\.0\.0\.0:4317 \(TLS\)\s+tempo\.yaml:14/);
    expect(r.stdout).toMatch(/HTTP API\s+https:\/\/localhost:3200\s+profile trace-wizard\.yaml:9/);
    expect(r.stdout).toMatch(/restart\s+tmux pane main:5: \.\/target\/release\/ag \(in backend\)/);
    expect(r.stdout + r.stderr).not.toContain('s3cretpass');
  });

  it('emits one JSON object with --json, secrets masked', async () => {
    const dir = tempDir();
    const { env } = layOutSeed(dir);
    writeFileSync(env, readFileSync(env, 'utf8') + 'OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer sekrit-token\n');
    const r = await runCli(['stack', '--json'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.profile).toBe('trace-wizard.yaml');
    expect(j.tempo.values).toContainEqual({ name: 'internal gRPC port (not OTLP)', value: '9095', source: 'tempo.yaml:4' });
    expect(r.stdout).not.toContain('sekrit-token');
    expect(r.stdout).not.toContain('s3cretpass');
  });

  it('discovers the files without a profile, and flags override', async () => {
    const dir = tempDir();
    layOutSeed(dir, { profile: false });
    mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'x', '.env'), 'OTEL_SERVICE_NAME=ignored\n');
    const r = await runCli(['stack', '--json'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.backend.file, j.collector.file, j.tempo.file]).toEqual(['backend/.env', 'otel-collector-config.yaml', 'tempo.yaml']);
    expect(j.backend.chosenBy).toBe('discovered');
  });

  it('with several candidates, names them and the flag to choose (exit 2)', async () => {
    const dir = tempDir();
    layOutSeed(dir, { profile: false });
    writeFileSync(path.join(dir, 'other.env'), 'OTEL_SERVICE_NAME=other\n');
    const r = await runCli(['stack'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Found 2 backend candidates: backend/.env, other.env');
    expect(r.stderr).toContain('--env PATH');
    const chosen = await runCli(['stack', '--env', 'other.env', '--json'], { cwd: dir });
    expect(JSON.parse(chosen.stdout).backend.file).toBe('other.env');
  });

  it('says what to do when there is no stack at all', async () => {
    const r = await runCli(['stack'], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('No stack found');
    expect(r.stderr).toContain('trace-wizard demo');
  });

  it('reports a wrong profile with file:line (exit 2)', async () => {
    const dir = tempDir();
    layOutSeed(dir);
    writeFileSync(path.join(dir, 'trace-wizard.yaml'), 'backend:\n  env: backend/.env\n  restart: { tmux: "main:5" }\n');
    const r = await runCli(['stack'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('trace-wizard.yaml:3:12: backend.restart: tmux needs a command');
  });

  describe('bad input: clear message, exit 2, no file changed', () => {
    const cases: Array<[string, (dir: string) => string[], RegExp]> = [
      ['missing file', () => ['--env', 'nope/.env'], /nope\/\.env: no such file/],
      ['a folder', (dir) => (mkdirSync(path.join(dir, 'adir')), ['--env', 'adir']), /adir: is a folder, not a file/],
      ['unreadable file', (dir) => (chmodSync(path.join(dir, 'backend', '.env'), 0o000), ['--env', 'backend/.env']), /backend\/\.env: is not readable|permission denied/],
      ['malformed YAML', (dir) => (writeFileSync(path.join(dir, 'tempo.yaml'), 'server:\n  http_listen_port: [3200\n'), []), /tempo\.yaml:3:1: YAML syntax error/],
      ['duplicate keys', (dir) => (writeFileSync(path.join(dir, 'tempo.yaml'), 'server:\n  http_listen_port: 1\n  http_listen_port: 2\n'), []), /tempo\.yaml:3:3: duplicate key/],
      ['unterminated quote in .env', (dir) => (writeFileSync(path.join(dir, 'backend', '.env'), 'OTEL_SERVICE_NAME="svc\nA=1\n'), []), /backend\/\.env:1:19: unterminated " quote/],
      ['binary file', (dir) => (writeFileSync(path.join(dir, 'bin.env'), Buffer.from([0x4f, 0x54, 0, 1, 2])), ['--env', 'bin.env']), /bin\.env: looks binary/],
      ['file over 10 MB', (dir) => (writeFileSync(path.join(dir, 'big.env'), 'OTEL_A=' + 'x'.repeat(11 * 1024 * 1024)), ['--env', 'big.env']), /big\.env: is 11\.0 MB; trace-wizard reads config files of up to 10 MB/],
      [
        'symlink out of the stack',
        (dir) => {
          const outside = tempDir();
          writeFileSync(path.join(outside, 'real.env'), 'OTEL_SERVICE_NAME=x\n');
          symlinkSync(path.join(outside, 'real.env'), path.join(dir, 'link.env'));
          return ['--env', 'link.env'];
        },
        /link\.env: resolves to .*real\.env, outside the stack's folder/,
      ],
    ];
    it.each(cases)('%s', async (_, setUp, message) => {
      const dir = tempDir();
      layOutSeed(dir);
      const args = setUp(dir);
      const before = tree(dir);
      const modeBefore = statSync(path.join(dir, 'backend', '.env')).mode;
      const r = await runCli(['stack', ...args], { cwd: dir });
      expect(r.stderr).toMatch(message);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.split('\n').length).toBeLessThanOrEqual(4);
      expect(tree(dir)).toEqual(before);
      expect(statSync(path.join(dir, 'backend', '.env')).mode).toBe(modeBefore);
    });
  });
});
