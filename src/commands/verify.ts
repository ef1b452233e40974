import { ExitCode } from '../errors.js';
import { renderChecks, verifyJson } from '../steps/fix-report.js';
import { verify } from '../steps/verify.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stackFor, warnInterrupted } from './common.js';
import { timeoutFlag } from './diagnose.js';

export async function runVerify(ctx: CommandContext): Promise<number> {
  const stack = await stackFor(ctx);
  await warnInterrupted(ctx, stack.root);
  const json = flag(ctx, 'json');
  const paint = (c: Parameters<typeof ctx.output.paint>[0], t: string) => ctx.output.paint(c, t);
  const result = await verify(stack, {
    timeoutMs: timeoutFlag(ctx, 60),
    since: Date.now(),
    cwd: ctx.cwd,
    onEvent: (e) => {
      if (json) return;
      if (e.type === 'check-start') ctx.output.err(paint('dim', `… ${e.label}`));
      else if (e.type === 'check-waiting' && e.elapsedMs % 2000 < 260) ctx.output.err(paint('dim', `… ${e.detail} (${(e.elapsedMs / 1000).toFixed(1)} s)`));
    },
  });
  if (json) ctx.output.json(verifyJson(result));
  else ctx.output.out(renderChecks(result, paint) + (result.ok ? `\n${paint('green', '✓')} Traces reach Tempo.` : ''));
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
