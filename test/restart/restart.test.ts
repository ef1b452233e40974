import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RestartEvent } from '../../src/restart/events.js';
import { identify, terminate, type ProcessIdentity } from '../../src/restart/proc.js';
import { proposeRestart } from '../../src/restart/propose.js';
import { restartComponent } from '../../src/restart/restart.js';
import { capturePane, capturePanes, killSession, newSession, newWindow } from '../../src/restart/tmux.js';
import { startDemo, stopDemo } from '../../src/sandbox/demo.js';
import { freePort } from '../../src/sandbox/net.js';
import { resolveStack } from '../../src/stack/stack.js';
import { eventually } from '../helpers/sandbox.js';
import { waitForTcp } from '../../src/probe/tcp.js';
import { FIXTURES, tempDir } from '../helpers/tmp.js';
import { usePrivateTmux } from '../helpers/tmux.js';

// Every tmux command of this file, ours and the library's, goes to a private tmux server.
usePrivateTmux('restart');

const LISTENER = path.join(FIXTURES, 'listener.mjs');

/** Starts a process we own and make sure it ends with the test. */
function own(args: string[]): ProcessIdentity {
  const child = spawn(process.execPath, args, { stdio: 'ignore', detached: true });
  child.unref();
  const pid = child.pid!;
  onTestFinished(async () => {
    const id = identify(pid);
    if (id) await terminate(id, 200);
  });
  return { pid, cmdline: '', startTime: 0 };
}

/** A one-component stack (a backend with a port) whose restart spec we choose. */
async function backendStack(restart: string, port: number) {
  const dir = tempDir('tw-restart-');
  writeFileSync(path.join(dir, '.env'), `BACKEND_PORT=${port}\nOTEL_SERVICE_NAME=svc\n`);
  writeFileSync(path.join(dir, 'trace-wizard.yaml'), `backend:\n  env: .env\n  restart: ${restart}\n`);
  onTestFinished(async () => {
    for (const f of ['.trace-wizard/run/backend.pid', 'app.pid']) {
      const pid = Number((() => {
        try {
          return readFileSync(path.join(dir, f), 'utf8');
        } catch {
          return '';
        }
      })());
      const id = pid ? identify(pid) : undefined;
      if (id) await terminate(id, 200);
    }
  });
  return { dir, stack: await resolveStack({ cwd: dir }) };
}

async function demo() {
  const { state, layout } = await startDemo({ seedPorts: false, useTmux: true, readyDelayMs: 300 });
  onTestFinished(() => stopDemo(state.dir).then(() => undefined));
  const stack = await resolveStack({ cwd: state.dir });
  return { state, layout, stack };
}

describe('restart in tmux', () => {
  it('restarts the collector in its pane; it serves again, and with its new config', async () => {
    const { state, stack } = await demo();
    const target = `${state.tmux!.session}:collector`;
    const before = await execa('tmux', ['display-message', '-p', '-t', target, '#{pane_pid}']);
    // The new config: export to Tempo's OTLP receiver, trusting its certificate.
    const { YamlFile } = await import('../../src/edit/yaml-file.js');
    const y = YamlFile.parse(readFileSync(stack.collector!.file.path, 'utf8'));
    y.set(['exporters', 'otlp/tempo', 'endpoint'], `localhost:${state.ports.tempoOtlp}`);
    y.set(['exporters', 'otlp/tempo', 'tls', 'ca_file'], 'tls/tempo.crt');
    y.delete(['exporters', 'otlp/tempo', 'tls', 'insecure']);
    writeFileSync(stack.collector!.file.path, y.toString());
    const events: RestartEvent[] = [];
    const r = await restartComponent(stack, 'collector', { onEvent: (e) => events.push(e) });
    expect(r, r.tail).toMatchObject({ ok: true, component: 'collector' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['stopping', 'stopped', 'starting', 'ready']));
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ detail: 'stopped with Ctrl-C' });
    // The same shell, a new collector under it, serving its metrics.
    const after = await execa('tmux', ['display-message', '-p', '-t', target, '#{pane_pid}']);
    expect(after.stdout).toBe(before.stdout);
    const sent = await eventually(async () => {
      const m = await (await fetch(`http://127.0.0.1:${state.ports.collectorMetrics}/metrics`)).text();
      return /otelcol_exporter_sent_spans\{[^}]*\} [1-9]/.test(m) ? true : undefined;
    }, 15_000);
    expect(sent).toBe(true);
    expect(await capturePane(`=${target}`, 50)).toMatch(/\.\/bin\/otelcol --config otel-collector-config\.yaml[\s\S]*\.\/bin\/otelcol --config otel-collector-config\.yaml/);
  }, 60_000);

  it('leaves copy mode first', async () => {
    const { state, stack } = await demo();
    const target = `${state.tmux!.session}:collector`;
    await execa('tmux', ['copy-mode', '-t', target]);
    expect((await execa('tmux', ['display-message', '-p', '-t', target, '#{pane_in_mode}'])).stdout).toBe('1');
    const r = await restartComponent(stack, 'collector');
    expect(r.ok, r.reason).toBe(true);
  }, 60_000);

  it('waits for Tempo’s /ready, reporting the wait', async () => {
    const { stack } = await demo();
    const events: RestartEvent[] = [];
    const r = await restartComponent(stack, 'tempo', { onEvent: (e) => events.push(e) });
    expect(r.ok, r.reason).toBe(true);
    // The demo's Tempo answers 503 for 3 s after a start (no TRACE_WIZARD_SANDBOX_READY_DELAY in the pane).
    expect(events.some((e) => e.type === 'waiting' && e.check.startsWith("Tempo's /ready: /ready answers 503"))).toBe(true);
  }, 60_000);

  it('names a missing pane', async () => {
    const { stack } = await demo();
    stack.collector!.restart = { kind: 'tmux', target: 'no-such-session:7', command: 'true' };
    const r = await restartComponent(stack, 'collector');
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^tmux pane "no-such-session:7" does not exist/);
  }, 60_000);

  it('reports a start command that fails, with the pane’s last lines', async () => {
    const { state, stack } = await demo();
    stack.collector!.restart = { kind: 'tmux', target: `${state.tmux!.session}:collector`, command: './no-such-otelcol --config x.yaml' };
    const r = await restartComponent(stack, 'collector', { readyTimeoutMs: 3000 });
    expect(r.ok).toBe(false);
    expect(r.tail).toMatch(/no-such-otelcol: (not found|No such file or directory)/);
  }, 60_000);

  it('proposes a tmux restart for a component found by its port', async () => {
    const { state, stack } = await demo();
    stack.collector!.restart = undefined;
    const p = await proposeRestart(stack, 'collector');
    expect(p?.spec).toMatchObject({ kind: 'tmux', target: expect.stringMatching(new RegExp(`^${state.tmux!.session}:\\d+\\.\\d+$`)), cwd: state.dir });
    expect(p?.cmdline).toContain('sandbox/main.js otelcol --config otel-collector-config.yaml');
  }, 60_000);
});

describe('restart a plain process', () => {
  it('by pidfile: SIGTERM, relaunch detached with a log, new PID recorded', async () => {
    const port = await freePort();
    const old = own([LISTENER, String(port)]);
    const { dir, stack } = await backendStack(`{ process: { pidfile: app.pid }, command: "${process.execPath} ${LISTENER} ${port}" }`, port);
    expect(await waitForTcp('127.0.0.1', port, Date.now() + 15_000)).toBe(true);
    writeFileSync(path.join(dir, 'app.pid'), `${old.pid}\n`);
    const r = await restartComponent(stack, 'backend');
    expect(r.ok, `${r.reason}\n${r.tail}`).toBe(true);
    expect(identify(old.pid)).toBeUndefined();
    const pid = Number(readFileSync(path.join(dir, 'app.pid'), 'utf8'));
    expect(pid).not.toBe(old.pid);
    expect(identify(pid)?.cmdline).toBe(`${process.execPath} ${LISTENER} ${port}`);
    // The listener writes its line once it listens: the port can answer a moment before the line lands.
    const log = path.join(dir, '.trace-wizard', 'logs', 'backend.log');
    expect(await eventually(() => (readFileSync(log, 'utf8').includes(`listening on ${port}`) ? true : undefined), 5000)).toBe(true);
  });

  it('by port; a process that ignores SIGTERM is killed after the grace time; a decoy is never signalled', async () => {
    const port = await freePort();
    const stubborn = own([LISTENER, String(port), '--ignore-term']);
    const decoy = own([LISTENER, String(await freePort()), '--ignore-term', '--decoy']);
    expect(await waitForTcp('127.0.0.1', port, Date.now() + 15_000)).toBe(true);
    await eventually(() => (identify(decoy.pid)?.cmdline.includes('--decoy') ? true : undefined));
    const decoyBefore = identify(decoy.pid)!;
    const { stack } = await backendStack(`{ process: { port: ${port} }, command: "${process.execPath} ${LISTENER} ${port}" }`, port);
    const events: RestartEvent[] = [];
    const r = await restartComponent(stack, 'backend', { graceMs: 500, onEvent: (e) => events.push(e) });
    expect(r.ok, `${r.reason}\n${r.tail}`).toBe(true);
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ detail: `pid ${stubborn.pid} ignored SIGTERM for 0.5 s: killed` });
    expect(identify(stubborn.pid)).toBeUndefined();
    expect(identify(decoy.pid)).toEqual(decoyBefore);
  });

  it('gives up when the readiness deadline passes, with the log’s last lines', async () => {
    const port = await freePort();
    const { stack } = await backendStack(`{ process: { pidfile: app.pid }, command: "${process.execPath} ${LISTENER} ${port} --no-listen" }`, port);
    const r = await restartComponent(stack, 'backend', { readyTimeoutMs: 800 });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^backend was not ready after 1 s \(the backend's port \d+: 127\.0\.0\.1:\d+ connection refused\)$/);
    expect(r.tail).toBe('started, but not listening');
  });

  it('reports a command that exits at once', async () => {
    const port = await freePort();
    const { stack } = await backendStack(`{ process: { pidfile: app.pid }, command: "./no-such-binary" }`, port);
    const r = await restartComponent(stack, 'backend');
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('"./no-such-binary" exited at once with code 127');
    expect(r.tail).toMatch(/no-such-binary: (not found|No such file)/);
  });
});

describe('systemd, docker compose and a command', () => {
  // Neither systemd nor a Docker engine runs on our machines: these stand-ins, first on PATH,
  // record their arguments and exit as the test tells them.
  function recorders(): { dir: string; log: string } {
    const dir = tempDir('tw-bin-');
    const log = path.join(dir, 'calls.log');
    for (const name of ['systemctl', 'docker']) {
      const f = path.join(dir, name);
      writeFileSync(f, `#!/bin/sh\necho "${name} $*" >> "${log}"\nif [ "$1" = "is-active" ]; then echo "\${FAKE_STATE:-active}"; fi\nif [ -n "$FAKE_FAIL" ]; then echo "boom: $FAKE_FAIL" >&2; exit 1; fi\n`);
      chmodSync(f, 0o755);
    }
    const oldPath = process.env.PATH;
    process.env.PATH = `${dir}:${oldPath}`;
    onTestFinished(() => {
      process.env.PATH = oldPath;
      delete process.env.FAKE_FAIL;
      delete process.env.FAKE_STATE;
    });
    return { dir, log };
  }

  async function stackWith(restart: string) {
    const dir = tempDir('tw-restart-');
    writeFileSync(path.join(dir, '.env'), 'OTEL_SERVICE_NAME=svc\n');
    mkdirSync(path.join(dir, 'ops'));
    writeFileSync(path.join(dir, 'trace-wizard.yaml'), `backend:\n  env: .env\n  restart: ${restart}\n`);
    return resolveStack({ cwd: dir });
  }

  it('systemd: systemctl restart, then is-active', async () => {
    const { log } = recorders();
    const r = await restartComponent(await stackWith('{ systemd: ag-backend.service }'), 'backend');
    expect(r.ok, r.reason).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('systemctl restart ag-backend.service\nsystemctl is-active ag-backend.service\n');
    process.env.FAKE_STATE = 'failed';
    const inactive = await restartComponent(await stackWith('{ systemd: ag-backend.service }'), 'backend');
    expect(inactive.reason).toBe('ag-backend.service is failed after the restart');
  });

  it('compose: up -d --force-recreate, so env files are read again', async () => {
    const { log } = recorders();
    const stack = await stackWith('{ compose: { service: backend, file: ops/compose.yaml } }');
    const r = await restartComponent(stack, 'backend');
    expect(r.ok, r.reason).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe(`docker compose -f ${path.join(stack.root, 'ops', 'compose.yaml')} up -d --force-recreate backend\n`);
    process.env.FAKE_FAIL = 'no engine';
    const failed = await restartComponent(stack, 'backend');
    expect(failed).toMatchObject({ ok: false, reason: 'docker compose could not recreate backend (exit 1)', tail: expect.stringContaining('boom: no engine') });
  });

  it('run: the user’s command, in the stack folder, with its failure reported', async () => {
    const ok = await restartComponent(await stackWith('{ run: "echo restarted > ran.txt" }'), 'backend');
    expect(ok.ok, ok.reason).toBe(true);
    const stack = await stackWith('{ run: "echo nope; exit 3" }');
    const r = await restartComponent(stack, 'backend');
    expect(r).toMatchObject({ ok: false, reason: '"echo nope; exit 3" failed (exit 3)', tail: 'nope' });
  });
});

describe('the tmux client', () => {
  it('reads several panes with one tmux process, and each pane alone when one is missing', async () => {
    const session = `tw-panes-${process.pid}`;
    const dir = tempDir('tw-panes-');
    await newSession(session, 'a', dir);
    onTestFinished(() => killSession(session));
    await newWindow(session, 'b', dir);
    await execa('tmux', ['send-keys', '-t', `=${session}:a`, 'echo pane-a-text', 'Enter']);
    await execa('tmux', ['send-keys', '-t', `=${session}:b`, 'echo pane-b-text', 'Enter']);
    for (const w of ['a', 'b']) expect(await eventually(async () => ((await capturePane(`=${session}:${w}`)).includes(`\npane-${w}-text`) ? true : undefined))).toBe(true);
    // A tmux on PATH that notes each run, then runs the real one.
    const calls = path.join(dir, 'calls');
    const real = (await execa('sh', ['-c', 'command -v tmux'])).stdout.trim();
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'tmux'), `#!/bin/sh\necho run >> ${calls}\nexec ${real} "$@"\n`);
    chmodSync(path.join(dir, 'bin', 'tmux'), 0o755);
    const pathBefore = process.env.PATH;
    process.env.PATH = `${path.join(dir, 'bin')}:${pathBefore}`;
    onTestFinished(() => void (process.env.PATH = pathBefore));
    const [a, b] = await capturePanes([`=${session}:a`, `=${session}:b`]);
    expect(a).toMatch(/^pane-a-text$/m);
    expect(b).toMatch(/^pane-b-text$/m);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
    const [a2, missing, b2] = await capturePanes([`=${session}:a`, `=${session}:nope`, `=${session}:b`]);
    expect([a2 === a, missing, b2 === b]).toEqual([true, '', true]);
  });
});
