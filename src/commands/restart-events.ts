/** Restarts as the headless commands show them: one line of progress per event, on stderr. */
import type { CommandContext } from '../cli/commands.js';
import type { Paint } from '../diagnose/report.js';
import type { RestartEvent, RestartResult } from '../restart/events.js';
import { restartInOrder } from '../restart/restart.js';
import type { Stack } from '../stack/stack.js';

export function describeRestartEvent(e: RestartEvent, paint: Paint): string | undefined {
  switch (e.type) {
    case 'stopping':
    case 'stopped':
    case 'starting':
      return paint('dim', `… ${e.component}: ${e.detail}`);
    case 'waiting':
      // About every 2 s, not on every poll.
      return e.elapsedMs % 2000 < 260 ? paint('dim', `… ${e.component}: waiting for ${e.check} (${(e.elapsedMs / 1000).toFixed(1)} s)`) : undefined;
    case 'ready':
      return `${paint('green', '✓')} ${e.component} restarted and ready in ${(e.elapsedMs / 1000).toFixed(1)} s`;
    case 'failed':
      return `${paint('red', '✗')} ${e.component}: ${e.reason}${e.tail ? `\n  last lines:\n${e.tail.split('\n').map((l) => `    ${l}`).join('\n')}` : ''}`;
  }
}

/** Restarts components in dependency order, printing progress on stderr unless quiet. */
export function restartAll(ctx: CommandContext, stack: Stack, components: string[], quiet: boolean): Promise<RestartResult[]> {
  return restartInOrder(stack, components, {
    onEvent: (e) => {
      const line = quiet ? undefined : describeRestartEvent(e, (c, t) => ctx.output.paint(c, t));
      if (line) ctx.output.err(line);
    },
  });
}
