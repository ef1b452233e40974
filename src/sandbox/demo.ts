/**
 * `trace-wizard demo`: lays out the seed's broken stack, starts Tempo, the collector and
 * the backend (each in its own tmux window, or as child processes without tmux), waits
 * until they run, and records what it started so that `demo --down` stops exactly that.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError, CheckFailedError } from '../errors.js';
import { waitForTcp } from '../probe/tcp.js';
import { identify, terminate, type ProcessIdentity } from '../restart/proc.js';
import { capturePane, hasSession, killSession, newSession, newWindow, socketPath, tmuxAvailable, typeCommand } from '../restart/tmux.js';
import type { BackendFlavour } from './backend.js';
import type { CertOptions } from './certs.js';
import { choosePorts, layOut, type DemoPorts, type Layout } from './layout.js';

export const COMPONENTS = ['tempo', 'collector', 'backend'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface DemoState {
  version: 1;
  createdAt: string;
  dir: string;
  backend: BackendFlavour;
  ports: DemoPorts;
  tmux: { session: string; socket: string } | null;
  processes: Array<ProcessIdentity & { name: Component }>;
  secret: string;
}

export interface DemoOptions {
  dir?: string;
  backend?: BackendFlavour;
  /** false: every port chosen free (parallel tests); true: the seed's ports where free. */
  seedPorts?: boolean;
  useTmux?: boolean;
  cert?: CertOptions;
  /** Tempo's /ready delay in ms (real Tempo: 15–20 s). */
  readyDelayMs?: number;
  onProgress?: (message: string) => void;
}

const STATE = path.join('.trace-wizard', 'demo.json');

export function statePath(dir: string): string {
  return path.join(dir, STATE);
}

export async function readDemoState(dir: string): Promise<DemoState | undefined> {
  const text = await readFile(statePath(dir), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as DemoState) : undefined;
}

export async function startDemo(opts: DemoOptions = {}): Promise<{ state: DemoState; layout: Layout }> {
  const progress = opts.onProgress ?? (() => {});
  const dir = await prepareDir(opts.dir);
  const useTmux = opts.useTmux ?? (await tmuxAvailable());
  const session = useTmux ? `tw-demo-${randomBytes(3).toString('hex')}` : undefined;
  progress('Choosing ports and writing the stack');
  // Tests and CI set TRACE_WIZARD_DEMO_FREE_PORTS=1 so parallel demos never race for the seed's ports.
  const ports = await choosePorts(opts.seedPorts ?? !process.env.TRACE_WIZARD_DEMO_FREE_PORTS);
  const layout = await layOut({ dir, ports, backend: opts.backend ?? 'node', tmuxSession: session, cert: opts.cert });
  await mkdir(path.join(dir, '.trace-wizard', 'logs'), { recursive: true, mode: 0o700 });
  const state: DemoState = {
    version: 1,
    createdAt: new Date().toISOString(),
    dir,
    backend: opts.backend ?? 'node',
    ports,
    tmux: null,
    processes: [],
    secret: layout.secret,
  };
  const env: Record<string, string> = opts.readyDelayMs === undefined ? {} : { TRACE_WIZARD_SANDBOX_READY_DELAY: `${opts.readyDelayMs}ms` };
  try {
    if (session) {
      progress(`Starting Tempo, the collector and the backend in tmux session ${session}`);
      await newSession(session, 'tempo', dir);
      state.tmux = { session, socket: await socketPath() };
      await writeState(state);
      await newWindow(session, 'collector', dir);
      await newWindow(session, 'backend', layout.backendDir);
      const prefix = Object.entries(env).map(([k, v]) => `${k}=${v} `).join('');
      await typeCommand(`=${session}:tempo`, prefix + layout.commands.tempo);
      await typeCommand(`=${session}:collector`, layout.commands.collector);
      await typeCommand(`=${session}:backend`, layout.commands.backend);
    } else {
      progress('Starting Tempo, the collector and the backend as background processes (no tmux)');
      for (const name of COMPONENTS) {
        state.processes.push({ name, ...(await spawnDetached(layout, name, env)) });
        await writeState(state);
      }
    }
    await writeState(state);
    progress('Waiting until every component listens');
    await waitUntilRunning(state);
  } catch (e) {
    // The error carries the component's last output lines; the half-started stack goes.
    await stopDemo(dir).catch(() => rm(dir, { recursive: true, force: true }));
    throw e;
  }
  return { state, layout };
}

async function prepareDir(dir?: string): Promise<string> {
  if (!dir) return mkdtemp(path.join(os.tmpdir(), 'trace-wizard-demo-'));
  const abs = path.resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0) {
    throw new UserError(`${dir} is not empty; the demo lays out its stack in a new or empty folder`, 'Pick another --dir, or leave it out to use a new temporary folder.');
  }
  await mkdir(abs, { recursive: true });
  return abs;
}

async function writeState(state: DemoState): Promise<void> {
  await mkdir(path.join(state.dir, '.trace-wizard'), { recursive: true, mode: 0o700 });
  await writeFile(statePath(state.dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

async function spawnDetached(layout: Layout, name: Component, env: Record<string, string>): Promise<ProcessIdentity> {
  const cwd = name === 'backend' ? layout.backendDir : layout.dir;
  const log = path.join(layout.dir, '.trace-wizard', 'logs', `${name}.log`);
  const fd = openSync(log, 'a', 0o600);
  const [cmd, ...args] = layout.commands[name].split(' ');
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;
  await writeFile(path.join(layout.dir, 'run', `${name}.pid`), `${pid}\n`);
  // The launcher script execs node: identify the process once it has.
  const deadline = Date.now() + 3000;
  let id = identify(pid);
  while ((!id || !id.cmdline.includes('main.js')) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    id = identify(pid);
  }
  if (!id) throw new CheckFailedError(`${name} exited right after start; see ${log}`);
  return id;
}

async function waitUntilRunning(state: DemoState): Promise<void> {
  const p = state.ports;
  const checks: Array<[Component, number]> = [
    ['tempo', p.tempoHttp],
    ['tempo', p.tempoOtlp],
    ['collector', p.collectorGrpc],
    ['collector', p.collectorMetrics],
    ['backend', p.backend],
  ];
  const deadline = Date.now() + 30_000;
  const results = await Promise.all(checks.map(([, port]) => waitForTcp('127.0.0.1', port, deadline)));
  const failed = checks.filter((_, i) => !results[i]);
  if (failed.length > 0) {
    const [name, port] = failed[0];
    const tail = await outputTail(state, name, 20);
    throw new CheckFailedError(`The demo's ${name} did not start listening on port ${port} within 30 s.${tail ? `\nLast lines of its output:\n${tail}` : ''}`);
  }
}

export async function outputTail(state: DemoState, name: Component, lines: number): Promise<string> {
  if (state.tmux) return (await capturePane(`=${state.tmux.session}:${name}`, lines)).split('\n').slice(-lines).join('\n');
  const log = await readFile(path.join(state.dir, '.trace-wizard', 'logs', `${name}.log`), 'utf8').catch(() => '');
  return log.split('\n').slice(-lines - 1).join('\n');
}

/** Stops exactly what the demo started (its tmux session, its recorded processes), then removes the folder unless kept. */
export async function stopDemo(dir: string, opts: { keep?: boolean } = {}): Promise<{ stopped: string[] }> {
  const state = await readDemoState(dir);
  if (!state) {
    throw new UserError(`${dir} is not a demo folder (no ${STATE})`, 'Pass the folder the demo printed: trace-wizard demo --down --dir DIR');
  }
  const stopped: string[] = [];
  if (state.tmux && (await hasSession(state.tmux.session, state.tmux.socket))) {
    await killSession(state.tmux.session, state.tmux.socket);
    stopped.push(`tmux session ${state.tmux.session}`);
  }
  // Processes the demo started, and any a restart recorded in run/*.pid since —
  // each signalled only while it is still the process that was identified.
  const known = [...state.processes];
  for (const f of await readdir(path.join(dir, 'run')).catch(() => [] as string[])) {
    const pid = Number((await readFile(path.join(dir, 'run', f), 'utf8').catch(() => '')).trim());
    const id = pid > 0 ? identify(pid) : undefined;
    if (id && id.cmdline.includes(path.join('sandbox', 'main.js')) && !known.some((k) => k.pid === id.pid)) known.push({ ...id, name: f.replace(/\.pid$/, '') as Component });
  }
  for (const p of known) {
    const r = await terminate(p, 5000);
    if (r !== 'gone') stopped.push(`${p.name} (pid ${p.pid}, ${r})`);
  }
  if (!opts.keep) await rm(dir, { recursive: true, force: true });
  return { stopped };
}
