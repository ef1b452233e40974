/** The interactive path: only on a terminal, and only here are Ink and React loaded. */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Output } from '../cli/output.js';
import { ExitCode } from '../errors.js';
import type { StackOptions } from '../stack/stack.js';

export const NO_TERMINAL =
  'trace-wizard needs a terminal for its interactive wizard (and never prompts when CI is set). ' +
  'Without one, use the headless commands: `trace-wizard diagnose` to see what is wrong and which repair fits, ' +
  '`trace-wizard fix --option direct|tempo-plaintext|collector-tls --yes` to apply it with proof and automatic rollback, ' +
  'and `trace-wizard verify` to check the pipeline. See `trace-wizard --help`.';

export async function runInteractive(output: Output, stackOptions: StackOptions): Promise<number> {
  if (!output.interactive) {
    output.err(NO_TERMINAL);
    return ExitCode.usage;
  }
  const root = realpathSync(stackOptions.profile ? path.dirname(path.resolve(stackOptions.cwd, stackOptions.profile)) : stackOptions.cwd);
  const { runWizard } = await import('../ui/run.js');
  return runWizard(stackOptions, root, output.streams);
}
