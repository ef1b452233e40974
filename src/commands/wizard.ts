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
  // Ink, React and yoga take ~0.12 s to load: show the header's start at once, then let the
  // first frame draw over that line (it is shorter than any header, so nothing is left of it).
  output.streams.stdout.write(`${output.paint('bold', output.paint('magenta', 'trace-wizard'))}${output.paint('dim', ' · …')}\n`);
  const { runWizard } = await import('../ui/run.js');
  output.streams.stdout.write('\x1b[1A\r');
  return runWizard(stackOptions, root, output.streams);
}
