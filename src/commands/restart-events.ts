/** One line of progress for a restart event, as the headless commands print it. */
import type { Paint } from '../diagnose/report.js';
import type { RestartEvent } from '../restart/events.js';

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
