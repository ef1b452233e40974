/** Helpers the commands share: reading flags, resolving the stack, noticing interrupted sessions. */
import { BackupSession } from '../edit/backup.js';
import type { RestartResult } from '../restart/events.js';
import { RESTART_ORDER, restartComponent } from '../restart/restart.js';
import { resolveStack, type Stack } from '../stack/stack.js';
import type { CommandContext } from '../cli/commands.js';

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Resolves the stack from the profile flags, and points the output's redactor at its secrets. */
export async function stackFor(ctx: CommandContext): Promise<Stack> {
  const stack = await resolveStack({
    cwd: ctx.cwd,
    profile: stringFlag(ctx, 'profile'),
    env: stringFlag(ctx, 'env'),
    collectorConfig: stringFlag(ctx, 'collector-config'),
    tempoConfig: stringFlag(ctx, 'tempo-config'),
  });
  ctx.output.redactor = stack.redactor;
  return stack;
}

/** Tells the user about sessions a crash or Ctrl-C left half-done (on stderr, so --json stays clean). */
export async function warnInterrupted(ctx: CommandContext, root: string): Promise<void> {
  for (const s of await BackupSession.interrupted(root)) {
    ctx.output.err(
      `${ctx.output.paint('yellow', '!')} Backup session ${s.id} (${s.manifest.repair}) was interrupted before it finished. ` +
        `Its files are each in their original or repaired state; to restore the originals: trace-wizard rollback ${s.id}`,
    );
  }
}

/** Restarts components in dependency order, printing progress on stderr; returns every result. */
export async function restartAll(ctx: CommandContext, stack: Stack, components: string[], quiet: boolean): Promise<RestartResult[]> {
  const results: RestartResult[] = [];
  const { output } = ctx;
  for (const component of RESTART_ORDER.filter((c) => components.includes(c))) {
    const r = await restartComponent(stack, component, {
      onEvent: (e) => {
        if (quiet) return;
        if (e.type === 'stopping' || e.type === 'starting' || e.type === 'stopped') output.err(output.paint('dim', `… ${component}: ${e.detail}`));
        else if (e.type === 'waiting' && e.elapsedMs % 2000 < 260) output.err(output.paint('dim', `… ${component}: waiting for ${e.check} (${(e.elapsedMs / 1000).toFixed(1)} s)`));
        else if (e.type === 'ready') output.err(`${output.paint('green', '✓')} ${component} restarted and ready in ${(e.elapsedMs / 1000).toFixed(1)} s`);
        else if (e.type === 'failed') output.err(`${output.paint('red', '✗')} ${component}: ${e.reason}${e.tail ? `\n  last lines:\n${e.tail.split('\n').map((l) => `    ${l}`).join('\n')}` : ''}`);
      },
    });
    results.push(r);
    if (!r.ok) break;
  }
  return results;
}
