/** Text and JSON forms of a plan, a proof and a fix (schemas: docs/fix.schema.json, docs/verify.schema.json). */
import { colourDiff } from '../edit/diff.js';
import type { Paint } from '../diagnose/report.js';
import { REPAIR_SUMMARY } from '../diagnose/recommend.js';
import type { Plan } from '../repairs/plan.js';
import { display } from '../stack/stack.js';
import type { FixResult } from './fix.js';
import type { VerifyResult } from './verify.js';

export function renderPlan(plan: Plan, cwd: string, paint: Paint, colour: boolean): string {
  const out = [`${paint('bold', `Repair: ${plan.repair}`)} — ${REPAIR_SUMMARY[plan.repair]}.`, ''];
  for (const e of plan.edits) out.push(colourDiff(e.diff, colour).trimEnd(), '');
  for (const c of plan.creates) out.push(`${paint('green', '+')} new file ${display(cwd, c.path)} (${c.mode.toString(8)}): ${c.why}`);
  out.push(`Restarts: ${plan.restarts.join(', ')}`);
  if (plan.notes.length) out.push('', 'Notes:', ...plan.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}

export function renderChecks(v: VerifyResult, paint: Paint): string {
  const out = ['Proof:'];
  for (const c of v.checks) out.push(`  ${c.ok ? paint('green', '✓') : paint('red', '✗')} ${c.name.padEnd(17)} ${c.detail}  ${paint('dim', `(${c.ms} ms)`)}`);
  if (v.canary) out.push(`Canary trace: ${v.canary.traceId}  ${v.canary.url}`);
  if (v.failure) out.push(`${paint('red', 'Failing hop:')} ${v.failure.hop} — ${v.failure.cause}`);
  return out.join('\n');
}

export function verifyJson(v: VerifyResult) {
  return { version: 1, ok: v.ok, checks: v.checks, canary: v.canary, failure: v.failure };
}

export function fixJson(r: FixResult, cwd: string) {
  return {
    version: 1,
    ok: r.ok,
    option: r.repair,
    dryRun: r.dryRun,
    backupId: r.sessionId,
    changes: r.plan.edits.map((e) => ({ path: display(cwd, e.file.path), diff: e.diff })),
    creates: r.plan.creates.map((c) => ({ path: display(cwd, c.path), why: c.why })),
    notes: r.plan.notes,
    restarts: r.restarts.map((x) => ({ component: x.component, ok: x.ok, ms: x.ms, ...(x.reason ? { reason: x.reason } : {}) })),
    checks: r.verify?.checks ?? [],
    canary: r.verify?.canary ?? null,
    failure: r.failure,
    rolledBack: r.rollback !== null,
    rollback: r.rollback
      ? {
          restored: r.rollback.restored,
          removed: r.rollback.removed,
          restarts: r.rollback.restarts.map((x) => ({ component: x.component, ok: x.ok, ms: x.ms, ...(x.reason ? { reason: x.reason } : {}) })),
          originalAnswers: r.rollback.originalAnswers,
          detail: r.rollback.detail,
        }
      : null,
    ms: r.ms,
  };
}
