/** Renders the wizard on a terminal and resolves to its exit code. Loaded only on the interactive path. */
import { render } from 'ink';
import type { Streams } from '../cli/output.js';
import type { StackOptions } from '../stack/stack.js';
import { App } from './App.js';

export async function runWizard(stackOptions: StackOptions, root: string, streams: Streams): Promise<number> {
  let code = 0;
  const instance = render(<App stackOptions={stackOptions} root={root} onExit={(c) => (code = c)} />, {
    stdin: streams.stdin as NodeJS.ReadStream,
    stdout: streams.stdout as NodeJS.WriteStream,
    stderr: streams.stderr as NodeJS.WriteStream,
    // Ctrl-C is the wizard's to handle: during apply it asks whether to roll back or finish.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
  return code;
}
