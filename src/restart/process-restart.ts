/**
 * Restarting a component that runs as a plain process: identify it (by pid, pidfile or the
 * port it listens on), confirm it is still that process before each signal, SIGTERM, wait,
 * SIGKILL, then relaunch the command detached in its folder, output to
 * `.trace-wizard/logs/<component>.log`, and record the new PID.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComponentName } from '../stack/profile.js';
import { RestartError, pollUntil, type RestartListener } from './events.js';
import { identify, listenerOf, terminate, type ProcessIdentity } from './proc.js';

export interface ProcessSpec {
  pid?: number;
  pidfile?: string;
  port?: number;
  command: string;
  cwd?: string;
}

export function logFile(root: string, component: ComponentName): string {
  return path.join(root, '.trace-wizard', 'logs', `${component}.log`);
}

async function findProcess(spec: ProcessSpec): Promise<ProcessIdentity | undefined> {
  if (spec.pid) return identify(spec.pid);
  if (spec.pidfile) {
    const text = await readFile(spec.pidfile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return pid > 0 ? identify(pid) : undefined;
  }
  if (spec.port) return listenerOf(spec.port);
  return undefined;
}

export async function restartProcess(component: ComponentName, spec: ProcessSpec, root: string, emit: RestartListener, graceMs = 10_000): Promise<ProcessIdentity> {
  const old = await findProcess(spec);
  if (old) {
    emit({ type: 'stopping', component, detail: `SIGTERM to pid ${old.pid} (${old.cmdline.slice(0, 80)})` });
    const how = await terminate(old, graceMs);
    emit({ type: 'stopped', component, detail: how === 'killed' ? `pid ${old.pid} ignored SIGTERM for ${graceMs / 1000} s: killed` : `pid ${old.pid} stopped` });
  } else {
    emit({ type: 'stopped', component, detail: 'it was not running' });
  }
  const log = logFile(root, component);
  mkdirSync(path.dirname(log), { recursive: true, mode: 0o700 });
  const fd = openSync(log, 'a', 0o600);
  const cwd = spec.cwd ?? root;
  emit({ type: 'starting', component, detail: `${spec.command} (in ${cwd}, output to ${path.relative(root, log)})` });
  // `exec` so that the recorded PID is the component's own, not a shell's.
  const child = spawn('/bin/sh', ['-c', `exec ${spec.command}`], { cwd, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new RestartError(`could not start "${spec.command}"`);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code));
  // Give exec a moment: the identity is the command's, not the shell's.
  // One look per poll: the process can exit between two.
  const execed = () => {
    const cmdline = identify(pid)?.cmdline ?? '';
    return cmdline.length > 0 && !cmdline.startsWith('/bin/sh -c');
  };
  await pollUntil(() => exitCode !== null || execed(), Date.now() + 2000, 10);
  const id = identify(pid);
  if (exitCode !== null || !id) throw new RestartError(`"${spec.command}" exited at once${exitCode !== null ? ` with code ${exitCode}` : ''}`, await tailOf(log, 20));
  const pidfile = spec.pidfile ?? path.join(root, '.trace-wizard', 'run', `${component}.pid`);
  mkdirSync(path.dirname(pidfile), { recursive: true });
  await writeFile(pidfile, `${pid}\n`);
  return id;
}

export async function tailOf(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.replace(/\n+$/, '').split('\n').slice(-lines).join('\n');
}
