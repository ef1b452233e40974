/**
 * The fix step: plan → confirm → back up and apply → restart → prove → (on failure) roll
 * back, restart again, and check the original state answers as before. Every stage reports
 * events; the interactive wizard and the headless command both drive this one function.
 */
import { BackupSession } from '../edit/backup.js';
import { UserError } from '../errors.js';
import type { RepairId } from '../diagnose/model.js';
import type { RestartEvent, RestartResult } from '../restart/events.js';
import { restartInOrder } from '../restart/restart.js';
import { planCollectorTls } from '../repairs/collector-tls.js';
import { planDirect } from '../repairs/direct.js';
import type { Plan } from '../repairs/plan.js';
import { planTempoPlaintext } from '../repairs/tempo-plaintext.js';
import { resolveStack, type Stack, type StackOptions } from '../stack/stack.js';
import { diagnose } from './diagnose.js';
import { verify, type VerifyEvent, type VerifyResult } from './verify.js';

export interface FixOptions {
  repair: RepairId;
  stackOptions: StackOptions;
  dryRun?: boolean;
  noRestart?: boolean;
  /** collector-tls: trust any certificate (tls.insecure_skip_verify) instead of Tempo's. */
  skipVerify?: boolean;
  /** tempo-plaintext: bind Tempo's plaintext receiver to 127.0.0.1. */
  localhostOnly?: boolean;
  /** Proof deadline (ms). */
  timeoutMs: number;
  keepOnFailure?: boolean;
  force?: boolean;
  /** Resolves to go on, throws to stop (CancelledError, or UserError without a terminal). */
  confirm: (plan: Plan) => Promise<void>;
  onEvent?: (e: FixEvent) => void;
  restartOptions?: { readyTimeoutMs?: number; graceMs?: number };
}

export type FixEvent =
  | { type: 'stack'; stack: Stack }
  | { type: 'plan'; plan: Plan }
  | { type: 'applied'; sessionId: string; written: string[]; created: string[] }
  | { type: 'restart'; event: RestartEvent }
  | { type: 'verify'; event: VerifyEvent }
  | { type: 'rolling-back'; reason: string }
  | { type: 'rolled-back'; restored: string[]; removed: string[] };

export interface RollbackReport {
  restored: string[];
  removed: string[];
  restarts: RestartResult[];
  /** The hops answer as they did before the repair. */
  originalAnswers: boolean;
  detail: string;
}

export interface FixResult {
  repair: RepairId;
  ok: boolean;
  dryRun: boolean;
  plan: Plan;
  sessionId: string | null;
  restarts: RestartResult[];
  verify: VerifyResult | null;
  rollback: RollbackReport | null;
  /** Why it failed, in one sentence. */
  failure: string | null;
  ms: number;
}

export async function planRepair(stack: Stack, opts: Pick<FixOptions, 'repair' | 'skipVerify' | 'localhostOnly'>, cwd: string): Promise<Plan> {
  switch (opts.repair) {
    case 'direct':
      return planDirect(stack, cwd);
    case 'tempo-plaintext':
      return planTempoPlaintext(stack, cwd, { localhostOnly: opts.localhostOnly });
    case 'collector-tls':
      return planCollectorTls(stack, cwd, { skipVerify: opts.skipVerify });
  }
}

function restartOptions(opts: FixOptions) {
  return { ...opts.restartOptions, onEvent: (event: RestartEvent) => opts.onEvent?.({ type: 'restart', event }) };
}

export async function fix(opts: FixOptions): Promise<FixResult> {
  const started = Date.now();
  const emit = opts.onEvent ?? (() => {});
  const cwd = opts.stackOptions.cwd;
  const stack = await resolveStack(opts.stackOptions);
  emit({ type: 'stack', stack });
  // How the hops answer now: after a rollback they must answer the same way again.
  const [plan, before] = await Promise.all([planRepair(stack, opts, cwd), opts.dryRun ? Promise.resolve(undefined) : diagnose(stack, { timeoutMs: 1500, cwd })]);
  emit({ type: 'plan', plan });
  const base = { repair: opts.repair, plan, restarts: [], verify: null, rollback: null, failure: null, sessionId: null };
  if (plan.edits.length === 0 && plan.creates.length === 0) {
    throw new UserError(`The ${opts.repair} repair would change nothing: the files already say what it would write`, 'Run trace-wizard verify to check the pipeline, or trace-wizard diagnose.');
  }
  if (plan.needsForce && !opts.force) throw new UserError(plan.needsForce, `To apply it anyway: --force (or pick another repair with --option).`);
  if (opts.dryRun) return { ...base, ok: true, dryRun: true, ms: Date.now() - started };
  await opts.confirm(plan);

  const session = await BackupSession.apply({
    root: stack.root,
    repair: opts.repair,
    restarts: plan.restarts,
    changes: plan.edits.map((e) => ({ file: e.file, after: e.after })),
    creates: plan.creates.map((c) => ({ path: c.path, content: c.content, mode: c.mode })),
  });
  emit({ type: 'applied', sessionId: session.id, written: plan.edits.map((e) => e.file.path), created: plan.creates.map((c) => c.path) });
  const result: FixResult = { ...base, ok: false, dryRun: false, sessionId: session.id, ms: 0 };
  if (opts.noRestart) return { ...result, ok: true, ms: Date.now() - started };

  const after = await resolveStack(opts.stackOptions);
  const since = Date.now();
  result.restarts = await restartInOrder(after, plan.restarts, restartOptions(opts));
  const restartFailed = result.restarts.find((r) => !r.ok);
  if (restartFailed) result.failure = `${restartFailed.component} did not come back: ${restartFailed.reason}`;
  else {
    result.verify = await verify(after, { timeoutMs: opts.timeoutMs, since, cwd, onEvent: (event) => emit({ type: 'verify', event }) });
    if (!result.verify.ok) {
      const f = result.verify.failure;
      result.failure = f ? `the proof failed on ${f.hop}: ${f.cause}` : 'the proof failed';
    }
  }
  result.ok = result.failure === null;
  if (!result.ok && !opts.keepOnFailure) result.rollback = await rollBack(session, plan, before!, opts);
  result.ms = Date.now() - started;
  return result;
}

async function rollBack(session: BackupSession, plan: Plan, before: Awaited<ReturnType<typeof diagnose>>, opts: FixOptions): Promise<RollbackReport> {
  opts.onEvent?.({ type: 'rolling-back', reason: 'the repair did not prove itself' });
  const { restored, removed } = await session.rollback({ force: false });
  opts.onEvent?.({ type: 'rolled-back', restored, removed });
  const original = await resolveStack(opts.stackOptions);
  const restarts = await restartInOrder(original, plan.restarts, restartOptions(opts));
  const now = await diagnose(original, { timeoutMs: 1500, cwd: opts.stackOptions.cwd });
  const statuses = (d: typeof now) => d.topology.map((h) => `${h.id} ${h.status}`).join(', ');
  const same = statuses(now) === statuses(before);
  return {
    restored,
    removed,
    restarts,
    originalAnswers: same && restarts.every((r) => r.ok),
    detail: same ? `the hops answer as before the repair (${statuses(now)})` : `before the repair: ${statuses(before)}; now: ${statuses(now)}`,
  };
}
