/**
 * The wizard's screen state, changed only through this reducer from the events the steps
 * report. The screens render it and own no logic.
 */
import type { RepairId } from '../diagnose/model.js';
import type { RestartEvent } from '../restart/events.js';
import type { Plan } from '../repairs/plan.js';
import type { StackReport } from '../stack/describe.js';
import type { FileKind } from '../stack/discover.js';
import type { Diagnosis, ProbeEvent } from '../steps/diagnose.js';
import type { FixEvent, FixResult } from '../steps/fix.js';
import { CHECK_LABELS } from '../diagnose/model.js';

export type Screen = 'interrupted' | 'candidates' | 'diagnosis' | 'choose' | 'review' | 'apply' | 'done' | 'error';
export type TaskStatus = 'pending' | 'running' | 'ok' | 'failed';

export interface Task {
  id: string;
  label: string;
  status: TaskStatus;
  detail?: string;
  startedAt?: number;
  ms?: number;
}

export interface ProbeLine {
  id: string;
  label: string;
  status: 'running' | 'ok' | 'failed';
  startedAt: number;
  ms?: number;
  summary?: string;
}

export interface WizardState {
  screen: Screen;
  interrupted: Array<{ id: string; repair: string; files: string[] }>;
  candidates?: { kind: FileKind; list: string[] };
  stack?: StackReport;
  probes: ProbeLine[];
  diagnosis?: Diagnosis;
  highlighted?: RepairId;
  plan?: Plan;
  planning: boolean;
  tasks: Task[];
  result?: FixResult;
  /** Ctrl-C during apply: asking whether to roll back when the step ends, or to finish. */
  askingCtrlC: boolean;
  rollbackRequested: boolean;
  rollback?: { status: TaskStatus; lines: string[] };
  error?: string;
  startedAt: number;
}

export type Action =
  | { type: 'interrupted'; sessions: WizardState['interrupted'] }
  | { type: 'candidates'; kind: FileKind; list: string[] }
  | { type: 'stack'; report: StackReport }
  | { type: 'probe'; event: ProbeEvent; at: number }
  | { type: 'diagnosed'; diagnosis: Diagnosis }
  | { type: 'go'; screen: Screen }
  | { type: 'highlight'; repair: RepairId }
  | { type: 'planning' }
  | { type: 'planned'; plan: Plan }
  | { type: 'fix'; event: FixEvent; at: number }
  | { type: 'fixed'; result: FixResult }
  | { type: 'ctrl-c' }
  | { type: 'ctrl-c-answer'; rollBack: boolean }
  | { type: 'rollback'; status: TaskStatus; line?: string }
  | { type: 'error'; message: string };

export function initialState(now: number): WizardState {
  return { screen: 'diagnosis', interrupted: [], probes: [], planning: false, tasks: [], askingCtrlC: false, rollbackRequested: false, startedAt: now };
}

/** The apply screen's task list for a plan: back up and write, each restart, each proof check. */
export function tasksFor(plan: Plan): Task[] {
  return [
    { id: 'write', label: `Back up, then write ${[...plan.edits.map((e) => e.file.path.split('/').pop()), ...plan.creates.map((c) => c.path.split('/').pop())].join(', ')}`, status: 'pending' },
    ...plan.restarts.map((c) => ({ id: `restart:${c}`, label: `Restart ${c}`, status: 'pending' as const })),
    ...(['canary', 'tempo-counters', 'collector-exports', 'backend-spans'] as const).map((n) => ({ id: `check:${n}`, label: `Prove: ${CHECK_LABELS[n]}`, status: 'pending' as const })),
  ];
}

function updateTask(tasks: Task[], id: string, change: Partial<Task>): Task[] {
  return tasks.map((t) => (t.id === id ? { ...t, ...change } : t));
}

function restartTask(tasks: Task[], e: RestartEvent, at: number): Task[] {
  const id = `restart:${e.component}`;
  const t = tasks.find((x) => x.id === id);
  switch (e.type) {
    case 'stopping':
    case 'stopped':
    case 'starting':
      return updateTask(tasks, id, { status: 'running', detail: e.detail, startedAt: t?.startedAt ?? at });
    case 'waiting':
      return updateTask(tasks, id, { status: 'running', detail: `waiting for ${e.check}` });
    case 'ready':
      return updateTask(tasks, id, { status: 'ok', detail: 'ready', ms: e.elapsedMs });
    case 'failed':
      return updateTask(tasks, id, { status: 'failed', detail: e.reason, ms: at - (t?.startedAt ?? at) });
  }
}

export function reducer(s: WizardState, a: Action): WizardState {
  switch (a.type) {
    case 'interrupted':
      return { ...s, interrupted: a.sessions, screen: a.sessions.length ? 'interrupted' : s.screen };
    case 'candidates':
      return { ...s, screen: 'candidates', candidates: { kind: a.kind, list: a.list } };
    case 'stack':
      return { ...s, stack: a.report, screen: 'diagnosis', candidates: undefined };
    case 'probe': {
      const e = a.event;
      if (e.type === 'probe-start') return { ...s, probes: [...s.probes, { id: e.id, label: e.label, status: 'running', startedAt: a.at }] };
      return { ...s, probes: s.probes.map((p) => (p.id === e.id ? { ...p, status: e.ok ? 'ok' : 'failed', ms: e.ms, summary: e.summary } : p)) };
    }
    case 'diagnosed':
      return { ...s, diagnosis: a.diagnosis, highlighted: a.diagnosis.recommendation?.repair ?? 'collector-tls' };
    case 'go':
      return { ...s, screen: a.screen };
    case 'highlight':
      return { ...s, highlighted: a.repair };
    case 'planning':
      return { ...s, planning: true, plan: undefined };
    case 'planned':
      return { ...s, planning: false, plan: a.plan, screen: 'review' };
    case 'fix': {
      const e = a.event;
      if (e.type === 'plan') return { ...s, plan: e.plan, tasks: s.tasks.length ? s.tasks : tasksFor(e.plan), screen: 'apply' };
      if (e.type === 'applied') return { ...s, tasks: updateTask(s.tasks, 'write', { status: 'ok', detail: `backup ${e.sessionId}` }) };
      if (e.type === 'restart') return { ...s, tasks: restartTask(s.tasks, e.event, a.at) };
      if (e.type === 'verify') {
        const v = e.event;
        if (v.type === 'check-start') return { ...s, tasks: updateTask(s.tasks, `check:${v.name}`, { status: 'running', startedAt: a.at }) };
        if (v.type === 'check-waiting') return { ...s, tasks: updateTask(s.tasks, `check:${v.name}`, { detail: v.detail }) };
        return { ...s, tasks: updateTask(s.tasks, `check:${v.check.name}`, { status: v.check.ok ? 'ok' : 'failed', detail: v.check.detail, ms: v.check.ms }) };
      }
      return s;
    }
    case 'fixed': {
      // Checks that never ran (no collector on the way, a failure before the proof) leave the list.
      const tasks = a.result.ok ? s.tasks.filter((t) => t.status !== 'pending') : s.tasks;
      return { ...s, result: a.result, tasks, screen: 'done', askingCtrlC: false };
    }
    case 'ctrl-c':
      return { ...s, askingCtrlC: true };
    case 'ctrl-c-answer':
      return { ...s, askingCtrlC: false, rollbackRequested: a.rollBack };
    case 'rollback':
      return { ...s, rollback: { status: a.status, lines: [...(s.rollback?.lines ?? []), ...(a.line ? [a.line] : [])] } };
    case 'error':
      return { ...s, screen: 'error', error: a.message };
  }
}
