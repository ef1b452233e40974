/** A yes/no question for headless commands run on a terminal. */
import { createInterface } from 'node:readline/promises';
import { CancelledError, UserError } from '../errors.js';
import type { Output } from './output.js';

/** Asks on a terminal; without one, refuses and names the flag that answers yes. */
export async function confirm(output: Output, question: string, yesFlag = '--yes'): Promise<void> {
  if (!output.interactive) {
    throw new UserError(`${question.replace(/\?$/, '')}: needs confirmation, and there is no terminal to ask on`, `Run again with ${yesFlag} to confirm.`);
  }
  const rl = createInterface({ input: output.streams.stdin, output: output.streams.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError();
  } finally {
    rl.close();
  }
}
