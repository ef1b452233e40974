import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { BackupSession } from '../edit/backup.js';
import { CheckFailedError, ExitCode, UserError } from '../errors.js';
import { confirm } from '../cli/prompt.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stackFor, stringFlag } from './common.js';
import { restartAll } from './restart-events.js';

/**
 * The stack folder, found without parsing any stack file: a rollback must work even
 * when the current configs are broken (that may be why the user is rolling back).
 */
function rootFor(ctx: CommandContext): string {
  const profile = stringFlag(ctx, 'profile');
  if (profile) {
    const p = path.resolve(ctx.cwd, profile);
    if (!existsSync(p)) throw new UserError(`${profile}: no such file`, 'Check the --profile path.');
    return realpathSync(path.dirname(p));
  }
  return realpathSync(ctx.cwd);
}

export async function runRollback(ctx: CommandContext): Promise<number> {
  const root = rootFor(ctx);
  const json = flag(ctx, 'json');
  const sessions = await BackupSession.list(root);
  const { output } = ctx;

  if (flag(ctx, 'list')) {
    if (json) output.json(sessions.map((s) => summary(s)));
    else if (sessions.length === 0) output.out(`No backup sessions in ${path.join(root, '.trace-wizard', 'backups')}.`);
    else {
      output.out(`Backup sessions in ${path.join(root, '.trace-wizard', 'backups')} (newest last):`);
      for (const s of sessions) {
        output.out(`  ${s.id}  ${s.manifest.state.padEnd(11)}  ${s.manifest.repair.padEnd(15)}  ${s.manifest.files.map((f) => f.path).join(', ')}`);
      }
    }
    return ExitCode.ok;
  }

  const id = ctx.positionals[0];
  if (id && flag(ctx, 'last')) throw new UserError('Give either --last or a session ID, not both.');
  let session: BackupSession | undefined;
  if (id) session = await BackupSession.load(root, id);
  else if (flag(ctx, 'last')) {
    session = sessions.filter((s) => s.manifest.state === 'applied' || s.manifest.state === 'in-progress').at(-1);
    if (!session) throw new UserError(`No backup session to roll back in ${root}`, 'List them with: trace-wizard rollback --list');
  } else {
    throw new UserError('Say which session to roll back: --last, or its ID.', 'List them with: trace-wizard rollback --list');
  }
  if (session.manifest.state === 'rolled-back') {
    throw new UserError(`Session ${session.id} was already rolled back (${session.manifest.rolledBackAt}).`);
  }
  if (!flag(ctx, 'yes')) {
    const files = [...session.manifest.files.map((f) => f.path), ...session.manifest.created.map((c) => `${c.path} (remove)`)];
    if (!json) output.out(`Session ${session.id} (${session.manifest.repair}, ${session.manifest.state}) touched: ${files.join(', ')}`);
    await confirm(output, `Restore the originals from session ${session.id}?`);
  }
  const result = await session.rollback({ force: flag(ctx, 'force') });
  if (!json) {
    for (const f of result.restored) output.out(`${output.paint('green', '✓')} restored ${f}`);
    for (const f of result.removed) output.out(`${output.paint('green', '✓')} removed ${f}`);
    if (result.restored.length + result.removed.length === 0) output.out('Every file was already in its original state.');
  }
  // The components that read these files run with the repaired configs until restarted.
  const toRestart = flag(ctx, 'no-restart') ? [] : session.manifest.restarts;
  const restarts = toRestart.length > 0 ? await restartAll(ctx, await stackFor(ctx), toRestart, json) : [];
  const failed = restarts.find((r) => !r.ok);
  if (json) output.json({ ...summary(session), ...result, restarts });
  else if (!failed) {
    output.out(
      `Session ${session.id} rolled back.${restarts.length ? ` Restarted ${restarts.map((r) => r.component).join(', ')}.` : session.manifest.restarts.length ? ` Restart ${session.manifest.restarts.join(', ')} so they read the originals.` : ''}`,
    );
  }
  if (failed) throw new CheckFailedError(`The files are restored, but ${failed.component} did not come back: ${failed.reason}`, 'Look at its output above, then restart it by hand.');
  return ExitCode.ok;
}

function summary(s: BackupSession) {
  const m = s.manifest;
  return { id: m.id, state: m.state, repair: m.repair, createdAt: m.createdAt, files: m.files.map((f) => f.path), created: m.created.map((c) => c.path) };
}

