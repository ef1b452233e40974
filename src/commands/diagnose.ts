import { statSync } from 'node:fs';
import path from 'node:path';
import { diagnosisJson, renderDiagnosis } from '../diagnose/report.js';
import { ExitCode, UserError } from '../errors.js';
import { display } from '../stack/stack.js';
import { diagnose } from '../steps/diagnose.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stackFor, stringFlag, warnInterrupted } from './common.js';

/** `--timeout S` in milliseconds, within sane bounds. */
export function timeoutFlag(ctx: CommandContext, fallbackSeconds: number, max = 600): number {
  const raw = stringFlag(ctx, 'timeout');
  if (raw === undefined) return fallbackSeconds * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > max) throw new UserError(`--timeout takes seconds between 0 and ${max}, not "${raw}"`);
  return Math.round(s * 1000);
}

export async function runDiagnose(ctx: CommandContext): Promise<number> {
  const timeoutMs = timeoutFlag(ctx, 1.5, 60);
  const logFiles = ((ctx.values.logs as string[] | undefined) ?? []).map(String);
  for (const f of logFiles) {
    const st = (() => {
      try {
        return statSync(path.resolve(ctx.cwd, f));
      } catch {
        return undefined;
      }
    })();
    if (!st) throw new UserError(`--logs ${f}: no such file`, 'Check the path of the log file.');
    if (!st.isFile()) throw new UserError(`--logs ${f}: is not a file`);
  }
  const stack = await stackFor(ctx);
  await warnInterrupted(ctx, stack.root);
  const json = flag(ctx, 'json');
  const live = !json && Boolean(ctx.output.streams.stderr.isTTY);
  const d = await diagnose(stack, {
    timeoutMs,
    logFiles,
    cwd: ctx.cwd,
    onEvent: (e) => {
      if (live && e.type === 'probe-end') ctx.output.err(`${e.ok ? ctx.output.paint('green', '✓') : ctx.output.paint('yellow', '·')} ${e.label} ${ctx.output.paint('dim', `${e.ms} ms`)}`);
    },
  });
  if (json) ctx.output.json(diagnosisJson(d, { root: stack.root, profile: stack.profile ? display(ctx.cwd, stack.profile.path) : null }));
  else ctx.output.out(renderDiagnosis(d, (c, t) => ctx.output.paint(c, t)));
  return d.ok ? ExitCode.ok : ExitCode.failed;
}
