/**
 * Proposes how to restart a component the profile says nothing about: the process
 * listening on the component's port gives PID, command line and folder; a tmux pane whose
 * process tree holds that PID turns it into a tmux restart. Shown to the user to confirm.
 */
import type { ComponentName, RestartSpec } from '../stack/profile.js';
import type { Stack } from '../stack/stack.js';
import { cwdOf, listenerOf, parentOf } from './proc.js';
import { tmux, tmuxAvailable } from './tmux.js';
import { shellQuote } from './tmux-restart.js';

export interface Proposal {
  component: ComponentName;
  spec: RestartSpec;
  pid: number;
  cmdline: string;
  cwd?: string;
  /** In words, for the user to confirm. */
  description: string;
}

export function componentPort(stack: Stack, component: ComponentName): number | undefined {
  if (component === 'tempo') return stack.tempo?.settings.httpPort.value;
  if (component === 'collector') return stack.collector?.settings.receivers[0]?.endpoint.value.port;
  return stack.backend?.settings.port?.value;
}

export async function proposeRestart(stack: Stack, component: ComponentName): Promise<Proposal | undefined> {
  const port = componentPort(stack, component);
  if (!port) return undefined;
  const proc = listenerOf(port);
  if (!proc) return undefined;
  const cwd = cwdOf(proc.pid);
  const command = proc.cmdline.split(' ').map(shellQuote).join(' ');
  const pane = await paneHolding(proc.pid);
  if (pane) {
    return {
      component,
      spec: { kind: 'tmux', target: pane, command, ...(cwd ? { cwd } : {}) },
      pid: proc.pid,
      cmdline: proc.cmdline,
      cwd,
      description: `${component} listens on port ${port} as pid ${proc.pid} in tmux pane ${pane}: restart it there with "${command}"${cwd ? ` in ${cwd}` : ''}`,
    };
  }
  return {
    component,
    spec: { kind: 'process', port, command, ...(cwd ? { cwd } : {}) },
    pid: proc.pid,
    cmdline: proc.cmdline,
    cwd,
    description: `${component} listens on port ${port} as pid ${proc.pid}: stop that process and start "${command}"${cwd ? ` in ${cwd}` : ''} again`,
  };
}

/** The tmux pane (session:window.pane) whose shell is an ancestor of `pid`. */
async function paneHolding(pid: number): Promise<string | undefined> {
  if (!(await tmuxAvailable())) return undefined;
  const r = await tmux(['list-panes', '-a', '-F', '#{session_name}:#{window_index}.#{pane_index} #{pane_pid}'], { reject: false });
  if (r.exitCode !== 0) return undefined;
  const panes = new Map(r.stdout.split('\n').filter(Boolean).map((l) => [Number(l.split(' ')[1]), l.split(' ')[0]] as const));
  for (let p: number | undefined = pid; p && p > 1; p = parentOf(p)) if (panes.has(p)) return panes.get(p);
  return undefined;
}

