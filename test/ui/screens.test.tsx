import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { planRepair, type FixResult } from '../../src/steps/fix.js';
import { diagnose, type Diagnosis } from '../../src/steps/diagnose.js';
import { resolveStack, type Stack } from '../../src/stack/stack.js';
import type { Plan } from '../../src/repairs/plan.js';
import { ApplyScreen, ChooseScreen, DiagnosisScreen, DoneScreen, ReviewScreen } from '../../src/ui/screens.js';
import { initialState, reducer, tasksFor } from '../../src/ui/state.js';
import { KEY, tick } from '../helpers/ink.js';
import { startStack } from '../helpers/stack.js';

// Real data for the screens: a diagnosis and plans of a sandbox stack in the seed state.
let stack: Stack;
let diagnosis: Diagnosis;
let rustDiagnosis: Diagnosis;
let plan: Plan;
let rustPlan: Plan;
beforeAll(async () => {
  const s = await startStack();
  stack = await resolveStack({ cwd: s.layout.dir });
  diagnosis = await diagnose(stack, { timeoutMs: 1500, cwd: s.layout.dir });
  plan = await planRepair(stack, { repair: 'collector-tls' }, s.layout.dir);
  const r = await startStack({ backend: 'rust-like' });
  const rustStack = await resolveStack({ cwd: r.layout.dir });
  rustDiagnosis = await diagnose(rustStack, { timeoutMs: 1500, cwd: r.layout.dir });
  rustPlan = await planRepair(rustStack, { repair: 'direct' }, r.layout.dir);
}, 60_000);

describe('diagnosis screen', () => {
  it('shows a live line per probe while probing', () => {
    const now = Date.now();
    const { lastFrame, unmount } = render(
      <DiagnosisScreen probes={[{ id: 'a', label: 'exporter otlp/tempo → localhost:9095', status: 'running', startedAt: now - 1200 }, { id: 'b', label: 'Tempo /ready', status: 'ok', startedAt: now - 500, ms: 12 }]} now={now} onNext={() => {}} />,
    );
    const f = lastFrame()!;
    expect(f).toContain('Diagnosing…');
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] exporter otlp\/tempo → localhost:9095 1\.2 s/);
    expect(f).toContain('✓ Tempo /ready 0.0 s');
    unmount();
  });

  it('groups findings by hop with their evidence, and the recommendation; Enter goes on', async () => {
    const onNext = vi.fn();
    const { lastFrame, stdin, unmount } = render(<DiagnosisScreen probes={[]} diagnosis={diagnosis} now={Date.now()} onNext={onNext} />);
    const f = lastFrame()!;
    expect(f).toContain('Why traces do not reach Tempo');
    expect(f).toMatch(/✗ collector \(exporter otlp\/tempo\) → tempo \(internal gRPC\)/);
    expect(f).toContain("✗ The exporter otlp/tempo sends to Tempo's internal gRPC port");
    expect(f).toContain('↳ otel-collector-config.yaml:10  endpoint: localhost:');
    expect(f).toContain('Recommended: direct');
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(onNext).toHaveBeenCalledOnce());
    unmount();
  });
});

describe('choose screen', () => {
  it('marks and preselects the recommended repair, explains the highlighted one, and moves with the arrows', async () => {
    const highlight = vi.fn();
    const chosen = vi.fn();
    const { lastFrame, stdin, rerender, unmount } = render(<ChooseScreen diagnosis={diagnosis} highlighted="direct" planning={false} onHighlight={highlight} onChoose={chosen} onBack={() => {}} />);
    expect(lastFrame()).toMatch(/❯ direct {2}\(recommended\)/);
    expect(lastFrame()).toContain("Changes: the backend's .env");
    expect(lastFrame()).toContain('The collector only passes spans on here');
    await tick();
    stdin.write(KEY.down);
    await vi.waitFor(() => expect(highlight).toHaveBeenLastCalledWith('tempo-plaintext'));
    rerender(<ChooseScreen diagnosis={diagnosis} highlighted="tempo-plaintext" planning={false} onHighlight={highlight} onChoose={chosen} onBack={() => {}} />);
    expect(lastFrame()).toContain("Security: no TLS on Tempo's OTLP port");
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(chosen).toHaveBeenCalledWith('tempo-plaintext'));
    unmount();
  });

  it('says why direct is not for a Rust backend, and Esc goes back', async () => {
    const back = vi.fn();
    const { lastFrame, stdin, unmount } = render(<ChooseScreen diagnosis={rustDiagnosis} highlighted="direct" planning={false} onHighlight={() => {}} onChoose={() => {}} onBack={back} />);
    expect(lastFrame()).toMatch(/❯ collector-tls {2}\(recommended\)/);
    expect(lastFrame()).toContain("Not recommended: Rust's opentelemetry-otlp ignores OTEL_EXPORTER_OTLP_CERTIFICATE");
    await tick();
    stdin.write(KEY.escape);
    await vi.waitFor(() => expect(back).toHaveBeenCalledOnce());
    unmount();
  });
});

describe('review screen', () => {
  it('shows the diff with secrets masked, the new file and the restarts; scrolls; Enter confirms', async () => {
    const confirm = vi.fn();
    const { lastFrame, stdin, unmount } = render(<ReviewScreen plan={plan} rows={12} onConfirm={confirm} onBack={() => {}} />);
    expect(lastFrame()).toContain('Review: collector-tls');
    expect(lastFrame()).toContain('--- a/otel-collector-config.yaml');
    expect(lastFrame()).toMatch(/lines 1–\d+ of \d+ \(↑\/↓ scroll\)/);
    await tick();
    for (let i = 0; i < 12; i++) stdin.write(KEY.down);
    await tick();
    expect(lastFrame()).toContain('Restarts: collector');
    expect(lastFrame()).toContain('+ new file');
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(confirm).toHaveBeenCalledOnce());
    unmount();
  });

  it('asks for an explicit y before a repair that will likely fail', async () => {
    const confirm = vi.fn();
    const { lastFrame, stdin, unmount } = render(<ReviewScreen plan={rustPlan} rows={40} onConfirm={confirm} onBack={() => {}} />);
    expect(lastFrame()).toContain('This repair will likely fail. Press y to apply it anyway.');
    expect(lastFrame()).not.toContain('s3cretpass');
    await tick();
    stdin.write(KEY.enter);
    await tick();
    expect(confirm).not.toHaveBeenCalled();
    stdin.write('y');
    // Enter counts only once the screen has re-rendered armed (a loaded machine takes longer than a tick).
    await vi.waitFor(() => expect(lastFrame()).toContain('Enter apply'));
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(confirm).toHaveBeenCalledOnce());
    unmount();
  });
});

describe('apply and done screens', () => {
  it('shows the task list with live status, and the Ctrl-C question', async () => {
    const now = Date.now();
    const tasks = tasksFor(plan).map((t, i) => (i === 0 ? { ...t, status: 'ok' as const, ms: 40, detail: 'backup X' } : i === 1 ? { ...t, status: 'running' as const, startedAt: now - 2500, detail: "waiting for Tempo's /ready" } : t));
    const answer = vi.fn();
    const { lastFrame, stdin, unmount } = render(<ApplyScreen tasks={tasks} now={now} askingCtrlC rollbackRequested={false} onCtrlCAnswer={answer} />);
    expect(lastFrame()).toMatch(/✓ Back up, then write otel-collector-config\.yaml, tempo-ca\.pem 0\.0 s/);
    expect(lastFrame()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Restart collector 2\.5 s\n\s+waiting for Tempo's \/ready/);
    expect(lastFrame()).toContain('· Prove: canary trace found in Tempo');
    expect(lastFrame()).toContain('Roll back when this step ends');
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(answer).toHaveBeenCalledWith(true));
    unmount();
  });

  const result = (ok: boolean): FixResult => ({
    repair: 'collector-tls',
    ok,
    dryRun: false,
    plan,
    sessionId: '20261124T000000Z-abcdef',
    restarts: [],
    verify: { ok, checks: [], canary: { traceId: 'ab'.repeat(16), url: `https://localhost:3200/api/traces/${'ab'.repeat(16)}` }, failure: ok ? null : { hop: 'collector→tempo', cause: 'Tempo does not answer', finding: null } },
    rollback: null,
    failure: ok ? null : 'the proof failed on collector→tempo: Tempo does not answer',
    ms: 4200,
  });

  it('on success: the canary, its URL, the time, the backup and the rollback command', () => {
    const { lastFrame, unmount } = render(<DoneScreen result={result(true)} onRollBack={() => {}} onExit={() => {}} />);
    expect(lastFrame()).toContain('✓ collector-tls applied, restarted and proven in 4.2 s.');
    expect(lastFrame()).toContain(`https://localhost:3200/api/traces/${'ab'.repeat(16)}`);
    expect(lastFrame()).toContain('To undo: trace-wizard rollback 20261124T000000Z-abcdef');
    unmount();
  });

  it('on failure: the failing hop and cause, and the choice to roll back', async () => {
    const rollBack = vi.fn();
    const { lastFrame, stdin, unmount } = render(<DoneScreen result={result(false)} onRollBack={rollBack} onExit={() => {}} />);
    expect(lastFrame()).toContain('Failing hop: collector→tempo — Tempo does not answer');
    expect(lastFrame()).toContain('❯ Roll back: restore the files and restart');
    await tick();
    stdin.write(KEY.enter);
    await vi.waitFor(() => expect(rollBack).toHaveBeenCalledOnce());
    unmount();
  });
});

describe('wizard state', () => {
  it('follows the fix events into the task list', () => {
    let s = reducer(initialState(0), { type: 'fix', event: { type: 'plan', plan }, at: 0 });
    expect(s.screen).toBe('apply');
    s = reducer(s, { type: 'fix', event: { type: 'applied', sessionId: 'S', written: [], created: [] }, at: 5 });
    s = reducer(s, { type: 'fix', event: { type: 'restart', event: { type: 'waiting', component: 'collector', check: 'metrics', elapsedMs: 300 } }, at: 10 });
    expect(s.tasks.find((t) => t.id === 'restart:collector')).toMatchObject({ status: 'running', detail: 'waiting for metrics' });
    s = reducer(s, { type: 'fix', event: { type: 'restart', event: { type: 'ready', component: 'collector', elapsedMs: 900 } }, at: 20 });
    s = reducer(s, { type: 'fix', event: { type: 'verify', event: { type: 'check-end', check: { name: 'canary', ok: true, ms: 40, detail: 'found' } } }, at: 30 });
    expect(s.tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'ok', 'pending', 'pending', 'pending']);
  });
});
