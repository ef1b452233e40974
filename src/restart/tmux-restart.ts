/**
 * Restarting a component that runs in a tmux pane: leave copy mode, stop what runs in the
 * pane (C-c, again, then SIGTERM and SIGKILL of the identified process), type the command
 * literally and Enter on its own, and confirm a new process started. With `respawn`, the
 * pane is respawned with the command instead.
 */
import type { ComponentName } from '../stack/profile.js';
import { RestartError, pollUntil, sleep, type RestartListener } from './events.js';
import { descendantsOf, identify, signalIfSame, stillSame, type ProcessIdentity } from './proc.js';
import { capturePane, tmux, typeCommand } from './tmux.js';

export interface TmuxSpec {
  target: string;
  command: string;
  cwd?: string;
  respawn?: boolean;
}

interface PaneInfo {
  id: string;
  pid: number;
  inMode: boolean;
}

export async function paneInfo(target: string): Promise<PaneInfo> {
  const r = await tmux(['display-message', '-p', '-t', target, '#{pane_id} #{pane_pid} #{pane_in_mode}'], { reject: false });
  const [id, pid, mode] = r.stdout.trim().split(' ');
  // display-message falls back to the current pane when the target is missing: insist on a match.
  const exists = r.exitCode === 0 && id?.startsWith('%') && (await tmux(['list-panes', '-t', target, '-F', '#{pane_id}'], { reject: false })).exitCode === 0;
  if (!exists) throw new RestartError(`tmux pane "${target}" does not exist (${(r.stderr || 'no such pane').trim()})`);
  return { id, pid: Number(pid), inMode: mode === '1' };
}

/** What runs in the pane under its shell: the component, if anything. */
function foreground(pane: PaneInfo): ProcessIdentity[] {
  return descendantsOf(pane.pid).map(identify).filter((p): p is ProcessIdentity => p !== undefined);
}

export interface TmuxTimings {
  /** How long each step of the escalation waits for the process to go (default 5 s). */
  stepMs: number;
}

export async function restartInTmux(component: ComponentName, spec: TmuxSpec, emit: RestartListener, timings: TmuxTimings = { stepMs: 5000 }): Promise<void> {
  const pane = await paneInfo(spec.target);
  // Use the pane's id from here on: a window renamed meanwhile cannot redirect our keys.
  const t = pane.id;
  if (pane.inMode) await tmux(['send-keys', '-t', t, '-X', 'cancel'], { reject: false });

  if (spec.respawn) {
    emit({ type: 'stopping', component, detail: `respawning tmux pane ${spec.target}` });
    await tmux(['respawn-pane', '-k', '-t', t, ...(spec.cwd ? ['-c', spec.cwd] : []), spec.command]);
    emit({ type: 'starting', component, detail: `tmux pane ${spec.target}: ${spec.command}` });
    const after = await paneInfo(t);
    if (!identify(after.pid)) throw new RestartError(`the respawned pane ${spec.target} has no running process`, await capturePane(t, 20));
    return;
  }

  const running = foreground(pane);
  if (running.length > 0) {
    const main = running[0];
    emit({ type: 'stopping', component, detail: `Ctrl-C in tmux pane ${spec.target} (pid ${main.pid}: ${main.cmdline.slice(0, 80)})` });
    const gone = () => running.every((p) => !stillSame(p));
    const steps: Array<[string, () => Promise<unknown> | unknown]> = [
      ['Ctrl-C', () => tmux(['send-keys', '-t', t, 'C-c'])],
      ['Ctrl-C again', () => tmux(['send-keys', '-t', t, 'C-c'])],
      ['SIGTERM', () => running.forEach((p) => signalIfSame(p, 'SIGTERM'))],
      ['SIGKILL', () => running.forEach((p) => signalIfSame(p, 'SIGKILL'))],
    ];
    let used = '';
    for (const [name, act] of steps) {
      await act();
      used = name;
      if (await pollUntil(gone, Date.now() + timings.stepMs)) break;
    }
    if (!gone()) throw new RestartError(`the process in tmux pane ${spec.target} did not stop, even after SIGKILL`, await capturePane(t, 20));
    emit({ type: 'stopped', component, detail: `stopped with ${used}` });
  }

  const line = spec.cwd ? `cd ${shellQuote(spec.cwd)} && ${spec.command}` : spec.command;
  emit({ type: 'starting', component, detail: `tmux pane ${spec.target}: ${spec.command}` });
  const before = new Set(running.map((p) => `${p.pid}/${p.startTime}`));
  await typeCommand(t, line);
  // A shell may run short-lived helpers around its prompt: the new process must stay.
  const started = await pollUntil(async () => {
    const fresh = foreground(pane).filter((p) => !before.has(`${p.pid}/${p.startTime}`));
    if (fresh.length === 0) return false;
    await sleep(150);
    return fresh.some(stillSame);
  }, Date.now() + timings.stepMs);
  if (!started) throw new RestartError(`no process started in tmux pane ${spec.target} after typing "${spec.command}"`, await capturePane(t, 20));
}

/** The pane still runs something (the component has not exited). */
export async function paneBusy(target: string): Promise<boolean> {
  const pane = await paneInfo(target).catch(() => undefined);
  return pane ? foreground(pane).length > 0 : false;
}

export function shellQuote(s: string): string {
  return /^[\w./@:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
