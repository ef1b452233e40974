/**
 * A thin tmux client. Commands go to the server of the current environment (TMUX_TMPDIR
 * decides which), always with exact targets — never patterns.
 */
import { execa } from 'execa';

export async function tmuxAvailable(): Promise<boolean> {
  return execa('tmux', ['-V'], { reject: false }).then((r) => r.exitCode === 0, () => false);
}

export async function tmux(args: string[], options: { reject?: boolean } = {}): Promise<{ stdout: string; exitCode: number; stderr: string }> {
  const r = await execa('tmux', args, { reject: options.reject ?? true });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? 0 };
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

export async function socketPath(): Promise<string> {
  return (await tmux(['display-message', '-p', '#{socket_path}'])).stdout.trim();
}

export async function hasSession(session: string, socket?: string): Promise<boolean> {
  const r = await execa('tmux', [...(socket ? ['-S', socket] : []), 'has-session', '-t', `=${session}`], { reject: false });
  return r.exitCode === 0;
}

/** Kills exactly the named session (the `=` prefix forbids prefix matching). */
export async function killSession(session: string, socket?: string): Promise<void> {
  await execa('tmux', [...(socket ? ['-S', socket] : []), 'kill-session', '-t', `=${session}`], { reject: false });
}
