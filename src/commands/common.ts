/**
 * Helpers the commands share: reading flags, resolving the stack, noticing interrupted
 * sessions. Kept light: diagnose loads it, and restarts (with execa) are not its business.
 */
import { BackupSession } from '../edit/backup.js';
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
