/**
 * A thin tmux client. Commands go to the server of the current environment (TMUX_TMPDIR
 * decides which), always with exact targets — never patterns. It runs tmux with Node's
 * execFile: diagnosis reads panes, and loading execa would cost its start-up more than that.
 */
import { execFile } from 'node:child_process';

export async function tmuxAvailable(): Promise<boolean> {
  return (await tmux(['-V'], { reject: false })).exitCode === 0;
}

export function tmux(args: string[], options: { reject?: boolean } = {}): Promise<{ stdout: string; exitCode: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('tmux', args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      // A missing tmux binary has no exit code: reported as 127, like a shell would.
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      if (error && (options.reject ?? true)) reject(new Error(`tmux ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || error.message}`));
      else resolve({ stdout, stderr, exitCode });
    });
  });
}

/** A detached session whose first window is named `window` and starts in `cwd`. */
export async function newSession(session: string, window: string, cwd: string): Promise<void> {
  await tmux(['new-session', '-d', '-s', session, '-n', window, '-c', cwd, '-x', '200', '-y', '50']);
}

export async function newWindow(session: string, window: string, cwd: string): Promise<void> {
  await tmux(['new-window', '-d', '-t', `=${session}:`, '-n', window, '-c', cwd]);
}

/**
 * Types a command line into a pane: the text literally, then Enter on its own
 * (sent in one call, the Enter can be lost).
 */
export async function typeCommand(target: string, command: string): Promise<void> {
  await tmux(['send-keys', '-t', target, '-l', command]);
  await tmux(['send-keys', '-t', target, 'Enter']);
}

export async function capturePane(target: string, lines = 200): Promise<string> {
  const r = await tmux(['capture-pane', '-p', '-J', '-t', target, '-S', `-${lines}`], { reject: false });
  return r.exitCode === 0 ? r.stdout.replace(/\n+$/, '') : '';
}

// No leading dash: tmux would read it as a flag.
const PANE_BREAK = 'trace-wizard-pane-break';

/**
 * The last lines of several panes from one tmux process: each spawn blocks the caller's event
 * loop for ~10 ms. When a pane is missing tmux stops at it, and each pane is asked on its own.
 */
export async function capturePanes(targets: string[], lines = 200): Promise<string[]> {
  const args = targets.flatMap((t, i) => [...(i > 0 ? [';', 'display-message', '-p', PANE_BREAK, ';'] : []), 'capture-pane', '-p', '-J', '-t', t, '-S', `-${lines}`]);
  const r = targets.length > 1 ? await tmux(args, { reject: false }) : undefined;
  const parts = r?.exitCode === 0 ? r.stdout.split(`${PANE_BREAK}\n`) : [];
  if (parts.length === targets.length) return parts.map((p) => p.replace(/\n+$/, ''));
  return Promise.all(targets.map((t) => capturePane(t, lines)));
}

export async function socketPath(): Promise<string> {
  return (await tmux(['display-message', '-p', '#{socket_path}'])).stdout.trim();
}

export async function hasSession(session: string, socket?: string): Promise<boolean> {
  const r = await tmux([...(socket ? ['-S', socket] : []), 'has-session', '-t', `=${session}`], { reject: false });
  return r.exitCode === 0;
}

/** Kills exactly the named session (the `=` prefix forbids prefix matching). */
export async function killSession(session: string, socket?: string): Promise<void> {
  await tmux([...(socket ? ['-S', socket] : []), 'kill-session', '-t', `=${session}`], { reject: false });
}
