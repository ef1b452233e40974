import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { identify } from '../../src/restart/proc.js';
import { SEED_PORTS, backendEnv, collectorYaml, tempoYaml } from '../../src/sandbox/layout.js';
import type { DemoState } from '../../src/sandbox/demo.js';
import { runCli } from '../helpers/cli.js';
import { apiGet, eventually } from '../helpers/sandbox.js';
import { SEED, tempDir } from '../helpers/tmp.js';

/** Environment for one demo: its own tmux server, free ports, no terminal. */
function isolatedEnv(): Record<string, string> {
  const tmuxDir = tempDir('tw-tmux-');
  onTestFinished(async () => {
    await execa('tmux', ['kill-server'], { env: { TMUX_TMPDIR: tmuxDir }, reject: false });
  });
  return { TMUX_TMPDIR: tmuxDir, TRACE_WIZARD_DEMO_FREE_PORTS: '1' };
}

function demoDir(env: Record<string, string>): string {
  const dir = path.join(tempDir('tw-demo-parent-'), 'stack');
  onTestFinished(async () => {
    if (existsSync(dir)) await runCli(['demo', '--down', '--dir', dir], { cwd: path.dirname(dir), env });
  });
  return dir;
}

const state = (dir: string): DemoState => JSON.parse(readFileSync(path.join(dir, '.trace-wizard', 'demo.json'), 'utf8'));

describe('the demo stack is the seed stack', () => {
  it('writes the seed files line for line when the seed ports are used', () => {
    expect(tempoYaml(SEED_PORTS)).toBe(readFileSync(path.join(SEED, 'tempo.yaml'), 'utf8'));
    expect(collectorYaml(SEED_PORTS)).toBe(readFileSync(path.join(SEED, 'otel-collector-config.yaml'), 'utf8'));
    expect(backendEnv(SEED_PORTS, 's3cretpass')).toBe(readFileSync(path.join(SEED, 'backend.env'), 'utf8'));
  });
});

describe('trace-wizard demo', () => {
  it('starts the broken stack in tmux, never prints the secret, and demo --down leaves nothing behind', async () => {
    const env = isolatedEnv();
    const dir = demoDir(env);
    const r = await runCli(['demo', '--dir', dir], { cwd: path.dirname(dir), env, timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const s = state(dir);
    expect(r.stdout).toContain(`Profile: ${dir}/trace-wizard.yaml`);
    expect(r.stdout).toContain(`trace-wizard demo --down --dir ${dir}`);
    expect(r.stdout).toContain(`tmux attach -t ${s.tmux!.session}`);
    expect(readFileSync(path.join(dir, 'backend', '.env'), 'utf8')).toContain(s.secret);

    // Broken like the seed: the backend's spans reach the collector and fail at Tempo's internal port.
    const metrics = await eventually(async () => {
      const m = (await apiGet(`http://127.0.0.1:${s.ports.collectorMetrics}/metrics`)).body;
      return /otelcol_exporter_send_failed_spans\{[^}]*\} [1-9]/.test(m) ? m : undefined;
    }, 20_000);
    expect(metrics).toMatch(/otelcol_exporter_sent_spans\{[^}]*\} 0/);
    const pane = (await execa('tmux', ['capture-pane', '-p', '-t', `=${s.tmux!.session}:collector`], { env })).stdout;
    expect(pane).toContain('code = Unimplemented desc = unknown service opentelemetry.proto.collector.trace.v1.TraceService');

    const stack = await runCli(['stack', '--json'], { cwd: dir, env });
    expect(stack.exitCode, stack.stderr).toBe(0);
    expect(JSON.parse(stack.stdout).backend.restart).toBe(`tmux pane ${s.tmux!.session}:backend: ./ag (in backend)`);
    for (const out of [r.stdout, r.stderr, stack.stdout, stack.stderr]) expect(out).not.toContain(s.secret);

    // What runs in the panes: the shells and the components under them.
    const panePids = (await execa('tmux', ['list-panes', '-s', '-t', `=${s.tmux!.session}`, '-F', '#{pane_pid}'], { env })).stdout.split('\n').map(Number);
    const children = panePids.flatMap((p) => readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    expect(children.length).toBe(3);

    const down = await runCli(['demo', '--down', '--dir', dir], { cwd: path.dirname(dir), env });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toContain(`stopped tmux session ${s.tmux!.session}`);
    expect(existsSync(dir)).toBe(false);
    expect((await execa('tmux', ['has-session', '-t', `=${s.tmux!.session}`], { env, reject: false })).exitCode).not.toBe(0);
    expect(await eventually(() => ([...panePids, ...children].every((p) => identify(p) === undefined) ? true : undefined), 5000)).toBe(true);
  }, 90_000);

  it('runs the components as recorded background processes without tmux, and stops exactly those', async () => {
    const env = isolatedEnv();
    const dir = demoDir(env);
    const r = await runCli(['demo', '--dir', dir, '--no-tmux'], { cwd: path.dirname(dir), env, timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const s = state(dir);
    expect(s.tmux).toBeNull();
    expect(s.processes.map((p) => p.name)).toEqual(['tempo', 'collector', 'backend']);
    for (const p of s.processes) expect(identify(p.pid)?.cmdline).toContain('sandbox/main.js');
    expect(readFileSync(path.join(dir, 'trace-wizard.yaml'), 'utf8')).toContain('restart: { process: { pidfile: run/tempo.pid }, command: "./bin/tempo -config.file=tempo.yaml" }');
    const down = await runCli(['demo', '--down', '--dir', dir, '--keep'], { cwd: path.dirname(dir), env });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(existsSync(dir)).toBe(true);
    for (const p of s.processes) expect(identify(p.pid)).toBeUndefined();
    await runCli(['demo', '--down', '--dir', dir], { cwd: path.dirname(dir), env });
    expect(existsSync(dir)).toBe(false);
  }, 90_000);

  it('refuses a folder that is not empty, and --down on a folder that is not a demo', async () => {
    const env = isolatedEnv();
    const dir = tempDir();
    writeFileSync(path.join(dir, 'mine.txt'), 'keep me');
    const r = await runCli(['demo', '--dir', dir], { cwd: dir, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is not empty');
    const down = await runCli(['demo', '--down', '--dir', dir], { cwd: dir, env });
    expect(down.exitCode).toBe(2);
    expect(readFileSync(path.join(dir, 'mine.txt'), 'utf8')).toBe('keep me');
  });
});
