import { describeStack, renderStack } from '../stack/describe.js';
import { ExitCode } from '../errors.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stackFor, warnInterrupted } from './common.js';

export async function runStack(ctx: CommandContext): Promise<number> {
  const stack = await stackFor(ctx);
  await warnInterrupted(ctx, stack.root);
  const report = describeStack(stack, ctx.cwd);
  if (flag(ctx, 'json')) ctx.output.json(report);
  else ctx.output.out(renderStack(report, (c, t) => ctx.output.paint(c, t)));
  return ExitCode.ok;
}
