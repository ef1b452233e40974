import { REPAIRS, type RepairId } from '../diagnose/model.js';
import { ExitCode, UserError } from '../errors.js';
import { display } from '../stack/stack.js';
import { fix } from '../steps/fix.js';
import { fixJson, renderChecks, renderPlan } from '../steps/fix-report.js';
import { confirm } from '../cli/prompt.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stringFlag, warnInterrupted } from './common.js';
import { timeoutFlag } from './diagnose.js';
import { describeRestartEvent } from './restart-events.js';

export async function runFix(ctx: CommandContext): Promise<number> {
  const { output } = ctx;
  const option = stringFlag(ctx, 'option');
  if (!option || !REPAIRS.includes(option as RepairId)) {
    throw new UserError(
      option ? `--option must be one of ${REPAIRS.join(', ')}, not "${option}"` : `Say which repair: --option ${REPAIRS.join('|')}`,
      'trace-wizard diagnose recommends one for your stack.',
    );
  }
  const json = flag(ctx, 'json');
  const paint = (c: Parameters<typeof output.paint>[0], t: string) => output.paint(c, t);
  const progress = (line: string) => !json && output.err(line);
  const result = await fix({
    repair: option as RepairId,
    stackOptions: { cwd: ctx.cwd, profile: stringFlag(ctx, 'profile'), env: stringFlag(ctx, 'env'), collectorConfig: stringFlag(ctx, 'collector-config'), tempoConfig: stringFlag(ctx, 'tempo-config') },
    dryRun: flag(ctx, 'dry-run'),
    noRestart: flag(ctx, 'no-restart'),
    skipVerify: flag(ctx, 'skip-verify'),
    localhostOnly: flag(ctx, 'localhost-only'),
    timeoutMs: timeoutFlag(ctx, 60),
    keepOnFailure: flag(ctx, 'keep-on-failure'),
    force: flag(ctx, 'force'),
    confirm: async () => {
      if (!flag(ctx, 'yes')) await confirm(output, 'Apply these changes?');
    },
    onEvent: (e) => {
      if (e.type === 'stack') {
        // From here on no secret of the stack's files reaches the output.
        output.redactor = e.stack.redactor;
        void warnInterrupted(ctx, e.stack.root);
      } else if (e.type === 'plan') {
        if (!json) output.out(renderPlan(e.plan, ctx.cwd, paint, output.colour));
      } else if (e.type === 'applied') {
        progress(`${paint('green', '✓')} backed up to .trace-wizard/backups/${e.sessionId}`);
        for (const w of e.written) progress(`${paint('green', '✓')} wrote ${display(ctx.cwd, w)}`);
        for (const c of e.created) progress(`${paint('green', '✓')} created ${display(ctx.cwd, c)}`);
      } else if (e.type === 'restart') {
        const line = describeRestartEvent(e.event, paint);
        if (line) progress(line);
      } else if (e.type === 'verify' && e.event.type === 'check-start') progress(paint('dim', `… proving: ${e.event.label}`));
      else if (e.type === 'rolling-back') progress(`${paint('yellow', '!')} rolling back: ${e.reason}`);
      else if (e.type === 'rolled-back') {
        for (const f of e.restored) progress(`${paint('green', '✓')} restored ${display(ctx.cwd, f)}`);
        for (const f of e.removed) progress(`${paint('green', '✓')} removed ${display(ctx.cwd, f)}`);
      }
    },
  });
  if (json) {
    output.json(fixJson(result, ctx.cwd));
    return result.ok ? ExitCode.ok : ExitCode.failed;
  }
  if (result.dryRun) {
    output.out('\nDry run: nothing was written.');
    return ExitCode.ok;
  }
  if (result.verify) output.out(renderChecks(result.verify, paint));
  if (result.ok) {
    output.out(
      flag(ctx, 'no-restart')
        ? `\nApplied (backup ${result.sessionId}). Nothing was restarted, so nothing is proven yet: restart ${result.plan.restarts.join(', ')}, then run trace-wizard verify.`
        : `\n${paint('green', '✓')} Repaired and proven in ${(result.ms / 1000).toFixed(1)} s. Backup: ${result.sessionId}. To undo: trace-wizard rollback ${result.sessionId}`,
    );
    return ExitCode.ok;
  }
  output.out(`\n${paint('red', '✗')} The repair failed: ${result.failure}`);
  if (result.rollback) {
    output.out(`Rolled back: ${[...result.rollback.restored, ...result.rollback.removed].join(', ') || 'nothing to restore'}; restarted ${result.rollback.restarts.map((r) => `${r.component} ${r.ok ? '✓' : '✗'}`).join(', ')}.`);
    output.out(`${result.rollback.originalAnswers ? paint('green', '✓') : paint('red', '✗')} ${result.rollback.detail}`);
  } else output.out(`The changes were kept (--keep-on-failure). To undo: trace-wizard rollback ${result.sessionId}`);
  return ExitCode.failed;
}
