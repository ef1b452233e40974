/**
 * Restart a component with its profile's strategy, then wait — polling, with a deadline —
 * until it is really back, reporting progress events all along.
 */
import type { ComponentName, RestartSpec } from '../stack/profile.js';
import type { Stack } from '../stack/stack.js';
import { restartCompose, restartSystemd, restartWithCommand } from './command-restart.js';
import { RestartError, progressDue, sleep, type RestartListener, type RestartResult } from './events.js';
import { logFile, restartProcess, tailOf } from './process-restart.js';
import { stillSame, type ProcessIdentity } from './proc.js';
import { readinessChecks } from './ready.js';
import { capturePane } from './tmux.js';
import { paneBusy, restartInTmux } from './tmux-restart.js';

export interface RestartOptions {
  onEvent?: RestartListener;
  /** Readiness deadline (ms); default: the profile's ready_timeout, else 60 s for Tempo and 30 s for the others. */
  readyTimeoutMs?: number;
  /** How long a process gets between SIGTERM and SIGKILL (default 10 s). */
  graceMs?: number;
  /** How long each tmux stop step waits (default 5 s). */
  tmuxStepMs?: number;
}

/** Downstream first, so that receivers are up before their senders come back. */
export const RESTART_ORDER: ComponentName[] = ['tempo', 'collector', 'backend'];

export async function restartComponent(stack: Stack, component: ComponentName, opts: RestartOptions = {}): Promise<RestartResult> {
  const emit = opts.onEvent ?? (() => {});
  const started = Date.now();
  const spec = stack[component]?.restart;
  const fail = (reason: string, tail: string): RestartResult => {
    emit({ type: 'failed', component, reason, tail });
    return { component, ok: false, ms: Date.now() - started, reason, tail };
  };
  if (!spec) return fail(`no restart is configured for ${component} in the profile`, '');
  let alive: () => Promise<boolean> = async () => true;
  try {
    switch (spec.kind) {
      case 'tmux':
        await restartInTmux(component, spec, emit, { stepMs: opts.tmuxStepMs ?? 5000 });
        alive = () => paneBusy(spec.target);
        break;
      case 'process': {
        const id: ProcessIdentity = await restartProcess(component, spec, stack.root, emit, opts.graceMs ?? 10_000);
        alive = async () => stillSame(id);
        break;
      }
      case 'systemd':
        await restartSystemd(component, spec.unit, emit);
        break;
      case 'compose':
        await restartCompose(component, spec, emit);
        break;
      case 'run':
        await restartWithCommand(component, spec.command, spec.cwd ?? stack.root, emit);
        break;
    }
  } catch (e) {
    if (e instanceof RestartError) return fail(e.message, e.tail || (await outputTail(stack, component, spec)));
    throw e;
  }

  const deadline = started + (opts.readyTimeoutMs ?? (spec.readyTimeout ? spec.readyTimeout * 1000 : component === 'tempo' ? 60_000 : 30_000));
  const checks = readinessChecks(stack, component);
  const reportDue = progressDue();
  const firstMissing = async (): Promise<string | undefined> => {
    for (const c of checks) {
      const r = await c.run();
      if (r !== true) return `${c.label}: ${r}`;
    }
    return undefined;
  };
  for (;;) {
    // Both at once: each poll costs the slower of the two, not their sum (tmux answers in ~20 ms).
    const [running, missing] = await Promise.all([alive(), firstMissing()]);
    // Look twice before declaring it gone: a pane's process list can be caught between two processes.
    if (!running && (await sleep(300).then(alive)) === false) return fail(`${component} exited after it started`, await outputTail(stack, component, spec));
    if (missing === undefined) {
      emit({ type: 'ready', component, elapsedMs: Date.now() - started });
      return { component, ok: true, ms: Date.now() - started };
    }
    if (Date.now() >= deadline) return fail(`${component} was not ready after ${Math.round((deadline - started) / 1000)} s (${missing})`, await outputTail(stack, component, spec));
    if (reportDue()) emit({ type: 'waiting', component, check: missing, elapsedMs: Date.now() - started });
    await sleep(50);
  }
}

/** The last 20 lines of what the component printed: its pane, or its log. */
async function outputTail(stack: Stack, component: ComponentName, spec: RestartSpec): Promise<string> {
  if (spec.kind === 'tmux') return capturePane(spec.target, 20).then((t) => t.split('\n').slice(-20).join('\n'));
  if (spec.kind === 'process') return tailOf(logFile(stack.root, component), 20);
  return '';
}

/** Restarts components in RESTART_ORDER, stopping at the first that does not come back. */
export async function restartInOrder(stack: Stack, components: readonly string[], opts: RestartOptions = {}): Promise<RestartResult[]> {
  const results: RestartResult[] = [];
  for (const c of RESTART_ORDER.filter((x) => components.includes(x))) {
    const r = await restartComponent(stack, c, opts);
    results.push(r);
    if (!r.ok) break;
  }
  return results;
}
