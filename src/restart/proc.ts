/**
 * Identifying processes on Linux from /proc: a PID alone can be reused, so a process is
 * known by its PID, command line and start time together, and re-checked before any signal.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

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

/** Direct children of a process. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process below `pid` (not `pid` itself), depth first. */
export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  for (const c of childrenOf(pid)) out.push(c, ...descendantsOf(c));
  return out;
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** The process listening on a TCP port (any address), from /proc/net/tcp{,6} and the processes' open sockets. */
export function listenerOf(port: number): ProcessIdentity | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the inode.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1])) return identify(Number(entry));
      } catch {
        /* the fd closed meanwhile */
      }
    }
  }
  return undefined;
}
