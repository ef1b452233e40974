/**
 * Restarts done by another program: systemd, docker compose, or the user's own command.
 * `docker compose restart` would not re-read env files; `up -d --force-recreate` does.
 */
import { execa } from 'execa';
import type { ComponentName } from '../stack/profile.js';
import { RestartError, type RestartListener } from './events.js';

function lastLines(text: string, n = 20): string {
  return text.replace(/\n+$/, '').split('\n').slice(-n).join('\n');
}

async function run(file: string, args: string[], options: { cwd?: string; timeoutMs: number; shell?: boolean }): Promise<{ code: number; output: string }> {
  const r = await execa(file, args, { cwd: options.cwd, reject: false, all: true, timeout: options.timeoutMs, shell: options.shell ?? false, stdin: 'ignore' });
  if (r.timedOut) throw new RestartError(`"${[file, ...args].join(' ')}" did not finish within ${options.timeoutMs / 1000} s`, lastLines(String(r.all ?? '')));
  if (r.failed && r.exitCode === undefined) throw new RestartError(`could not run ${file}: ${r.shortMessage}`);
  return { code: r.exitCode ?? 1, output: String(r.all ?? '') };
}

export async function restartSystemd(component: ComponentName, unit: string, emit: RestartListener, timeoutMs = 60_000): Promise<void> {
  emit({ type: 'starting', component, detail: `systemctl restart ${unit}` });
  const r = await run('systemctl', ['restart', unit], { timeoutMs });
  if (r.code !== 0) throw new RestartError(`systemctl restart ${unit} failed (exit ${r.code})`, lastLines(r.output));
  const active = await run('systemctl', ['is-active', unit], { timeoutMs: 10_000 });
  if (active.output.trim() !== 'active') throw new RestartError(`${unit} is ${active.output.trim() || 'not active'} after the restart`, lastLines(active.output));
}

export async function restartCompose(component: ComponentName, spec: { service: string; file: string }, emit: RestartListener, timeoutMs = 120_000): Promise<void> {
  const args = ['compose', '-f', spec.file, 'up', '-d', '--force-recreate', spec.service];
  emit({ type: 'starting', component, detail: `docker ${args.join(' ')} (recreated so that it reads its env files again)` });
  const r = await run('docker', args, { timeoutMs });
  if (r.code !== 0) throw new RestartError(`docker compose could not recreate ${spec.service} (exit ${r.code})`, lastLines(r.output));
}

export async function restartWithCommand(component: ComponentName, command: string, cwd: string | undefined, emit: RestartListener, timeoutMs = 60_000): Promise<void> {
  emit({ type: 'starting', component, detail: command });
  const r = await run(command, [], { cwd, timeoutMs, shell: true });
  if (r.code !== 0) throw new RestartError(`"${command}" failed (exit ${r.code})`, lastLines(r.output));
}
