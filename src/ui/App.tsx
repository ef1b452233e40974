/**
 * The interactive wizard: discover → diagnose → choose → review → apply → restart → prove →
 * done or roll back. It calls the same steps as the headless commands and turns their
 * events into state; the screens render that state.
 */
import { useApp, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { BackupSession } from '../edit/backup.js';
import { ExitCode } from '../errors.js';
import type { RepairId } from '../diagnose/model.js';
import type { FileKind } from '../stack/discover.js';
import type { Stack, StackOptions } from '../stack/stack.js';
import { ApplyScreen, CandidatesScreen, ChooseScreen, DiagnosisScreen, DoneScreen, ErrorScreen, InterruptedScreen, ReviewScreen, useTick } from './screens.js';
import { initialState, reducer } from './state.js';

export interface AppProps {
  stackOptions: StackOptions;
  /** The stack's folder, for interrupted sessions (known before the stack is read). */
  root: string;
  onExit: (code: number) => void;
  /** Proof deadline (ms). */
  timeoutMs?: number;
}

// The steps load after the first frame: the wizard shows itself before gRPC, YAML and the probes are read.
const steps = () => Promise.all([import('../stack/stack.js'), import('../stack/describe.js'), import('../steps/diagnose.js'), import('../steps/fix.js'), import('../restart/restart.js')]).then(([stack, describe, diagnose, fix, restart]) => ({ ...stack, ...describe, ...diagnose, ...fix, ...restart }));

export function App({ stackOptions, root, onExit, timeoutMs = 60_000 }: AppProps) {
  const [state, dispatch] = useReducer(reducer, Date.now(), initialState);
  const { exit } = useApp();
  const { stdout } = useStdout();
  const stack = useRef<Stack | undefined>(undefined);
  const pick = useRef<((p: string) => void) | undefined>(undefined);
  const rollbackRequested = useRef(false);
  const now = useTick(['diagnosis', 'apply', 'done'].includes(state.screen));

  const finish = useCallback(
    (code: number) => {
      onExit(code);
      exit();
    },
    [exit, onExit],
  );
  const fail = (e: unknown) => dispatch({ type: 'error', message: (e as Error).message });

  const discoverAndDiagnose = useCallback(async () => {
    const choose = (kind: FileKind, list: string[]) =>
      new Promise<string>((resolve) => {
        pick.current = resolve;
        dispatch({ type: 'candidates', kind, list });
      });
    const { resolveStack, describeStack, diagnose } = await steps();
    const s = await resolveStack({ ...stackOptions, choose });
    stack.current = s;
    dispatch({ type: 'stack', report: describeStack(s, stackOptions.cwd) });
    const d = await diagnose(s, { timeoutMs: 1500, cwd: stackOptions.cwd, onEvent: (event) => dispatch({ type: 'probe', event, at: Date.now() }) });
    dispatch({ type: 'diagnosed', diagnosis: d });
  }, [stackOptions]);

  // Start: offer to roll back an interrupted session, then discover and diagnose.
  useEffect(() => {
    BackupSession.interrupted(root)
      .then((sessions) => {
        if (sessions.length > 0) dispatch({ type: 'interrupted', sessions: sessions.map((s) => ({ id: s.id, repair: s.manifest.repair, files: s.manifest.files.map((f) => f.path) })) });
        else return discoverAndDiagnose();
      })
      .catch(fail);
  }, []);

  const rollBack = useCallback(async (sessionId: string, restarts: string[]) => {
    dispatch({ type: 'rollback', status: 'running' });
    const session = await BackupSession.load(root, sessionId);
    const { restored, removed } = await session.rollback();
    for (const f of restored) dispatch({ type: 'rollback', status: 'running', line: `✓ restored ${f}` });
    for (const f of removed) dispatch({ type: 'rollback', status: 'running', line: `✓ removed ${f}` });
    const { resolveStack, restartInOrder } = await steps();
    const original = await resolveStack(stackOptions);
    const results = await restartInOrder(original, restarts, {
      onEvent: (e) => (e.type === 'ready' || e.type === 'failed') && dispatch({ type: 'rollback', status: 'running', line: e.type === 'ready' ? `✓ ${e.component} restarted` : `✗ ${e.component}: ${e.reason}` }),
    });
    dispatch({ type: 'rollback', status: results.every((r) => r.ok) ? 'ok' : 'failed' });
  }, [root, stackOptions]);

  const choose = useCallback(
    (repair: RepairId) => {
      if (!stack.current) return;
      dispatch({ type: 'planning' });
      const current = stack.current;
      steps()
        .then(({ planRepair }) => planRepair(current, { repair }, stackOptions.cwd))
        .then((plan) => dispatch({ type: 'planned', plan }))
        .catch(fail);
    },
    [stackOptions],
  );

  const apply = useCallback(() => {
    const plan = state.plan;
    if (!plan) return;
    steps()
      .then(({ fix }) => fix({
      repair: plan.repair,
      stackOptions,
      timeoutMs,
      // Confirmed on the review screen (with `y` for a repair that needs force); a failure is
      // offered for rollback on the done screen rather than rolled back at once.
      force: true,
      keepOnFailure: true,
      confirm: async () => {},
      onEvent: (event) => event.type !== 'stack' && dispatch({ type: 'fix', event, at: Date.now() }),
    }))
      .then(async (result) => {
        dispatch({ type: 'fixed', result });
        if (rollbackRequested.current && result.sessionId) await rollBack(result.sessionId, result.plan.restarts);
      })
      .catch(fail);
  }, [state.plan, stackOptions, timeoutMs, rollBack]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (state.screen === 'apply') dispatch({ type: 'ctrl-c' });
      else finish(ExitCode.cancelled);
    } else if (input === 'q' && !['apply', 'done', 'error', 'candidates'].includes(state.screen) && !(state.screen === 'review' && state.plan?.needsForce)) {
      finish(ExitCode.cancelled);
    }
  });

  switch (state.screen) {
    case 'interrupted':
      return (
        <InterruptedScreen
          sessions={state.interrupted}
          onAnswer={(yes) => {
            const last = state.interrupted[state.interrupted.length - 1];
            dispatch({ type: 'go', screen: 'diagnosis' });
            const undo = async () => {
              const { resolveStack, restartInOrder } = await steps();
              const s = await BackupSession.load(root, last.id);
              await s.rollback({ force: false });
              await restartInOrder(await resolveStack(stackOptions), s.manifest.restarts);
            };
            (yes ? undo() : Promise.resolve())
              .then(discoverAndDiagnose)
              .catch(fail);
          }}
        />
      );
    case 'candidates':
      return <CandidatesScreen kind={state.candidates!.kind} list={state.candidates!.list} onPick={(p) => pick.current?.(p)} />;
    case 'diagnosis':
      return <DiagnosisScreen stack={state.stack} probes={state.probes} diagnosis={state.diagnosis} now={now} onNext={() => dispatch({ type: 'go', screen: 'choose' })} />;
    case 'choose':
      return <ChooseScreen diagnosis={state.diagnosis!} highlighted={state.highlighted!} planning={state.planning} onHighlight={(r) => dispatch({ type: 'highlight', repair: r })} onChoose={choose} onBack={() => dispatch({ type: 'go', screen: 'diagnosis' })} />;
    case 'review':
      return <ReviewScreen plan={state.plan!} rows={stdout.rows ?? 24} onConfirm={() => (dispatch({ type: 'go', screen: 'apply' }), apply())} onBack={() => dispatch({ type: 'go', screen: 'choose' })} />;
    case 'apply':
      return (
        <ApplyScreen
          tasks={state.tasks}
          now={now}
          askingCtrlC={state.askingCtrlC}
          rollbackRequested={state.rollbackRequested}
          onCtrlCAnswer={(yes) => {
            rollbackRequested.current = yes;
            dispatch({ type: 'ctrl-c-answer', rollBack: yes });
          }}
        />
      );
    case 'done':
      return (
        <DoneScreen
          result={state.result!}
          rollback={state.rollback}
          onRollBack={() => void rollBack(state.result!.sessionId!, state.result!.plan.restarts).catch(fail)}
          onExit={() => finish(state.result!.ok && !state.rollback ? ExitCode.ok : ExitCode.failed)}
        />
      );
    case 'error':
      return <ErrorScreen message={state.error ?? 'unknown error'} onExit={() => finish(ExitCode.failed)} />;
  }
}
