/**
 * Identifying processes on Linux from /proc: a PID alone can be reused, so a process is
 * known by its PID, command line and start time together, and re-checked before any signal.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Arguments joined by spaces. */
  cmdline: string;
  /** Start time in clock ticks since boot (field 22 of /proc/PID/stat). */
  startTime: number;
}

export function identify(pid: number): ProcessIdentity | undefined {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z') return undefined;
    return { pid, cmdline, startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** True while the very process we identified earlier still runs. */
export function stillSame(p: ProcessIdentity): boolean {
  const now = identify(p.pid);
  return now !== undefined && now.startTime === p.startTime && now.cmdline === p.cmdline;
}

/** Sends a signal only if the process is still the one identified; returns whether it was sent. */
export function signalIfSame(p: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!stillSame(p)) return false;
  try {
    process.kill(p.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the identified process is gone (or the deadline passes); polls every 50 ms. */
export async function waitGone(p: ProcessIdentity, deadline: number): Promise<boolean> {
  while (stillSame(p)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`, to one identified process. Never touches any other. */
export async function terminate(p: ProcessIdentity, graceMs: number): Promise<'gone' | 'terminated' | 'killed'> {
  if (!signalIfSame(p, 'SIGTERM')) return 'gone';
  if (await waitGone(p, Date.now() + graceMs)) return 'terminated';
  signalIfSame(p, 'SIGKILL');
  await waitGone(p, Date.now() + 2000);
  return 'killed';
}
