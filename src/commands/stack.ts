import { proposeRestart } from '../restart/propose.js';
import { describeStack, renderStack } from '../stack/describe.js';
import type { ComponentName } from '../stack/profile.js';
import { ExitCode } from '../errors.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stackFor, warnInterrupted } from './common.js';

export async function runStack(ctx: CommandContext): Promise<number> {
  const stack = await stackFor(ctx);
  await warnInterrupted(ctx, stack.root);
  const proposals: Partial<Record<ComponentName, string>> = {};
  for (const name of ['backend', 'collector', 'tempo'] as const) {
    if (stack[name] && !stack[name]!.restart) {
      const p = await proposeRestart(stack, name);
      if (p) proposals[name] = p.description;
    }
  }
  const report = describeStack(stack, ctx.cwd, proposals);
  if (flag(ctx, 'json')) ctx.output.json(report);
  else ctx.output.out(renderStack(report, (c, t) => ctx.output.paint(c, t)));
  return ExitCode.ok;
}
