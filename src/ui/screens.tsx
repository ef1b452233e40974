/**
 * The wizard's screens. Each renders a slice of the state and reports key presses through
 * its callbacks; none calls a step.
 */
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { useEffect, useState } from 'react';
import { REPAIRS, type Finding, type RepairId } from '../diagnose/model.js';
import { REPAIR_DETAILS, REPAIR_SUMMARY, whyFor } from '../diagnose/recommend.js';
import { evidenceText } from '../diagnose/report.js';
import type { Plan } from '../repairs/plan.js';
import type { StackReport } from '../stack/describe.js';
import type { Diagnosis } from '../steps/diagnose.js';
import type { FixResult } from '../steps/fix.js';
import type { ProbeLine, Task, TaskStatus } from './state.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Re-renders every 100 ms while something runs: spinners and elapsed times. */
export function useTick(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function Mark({ status, now }: { status: TaskStatus | ProbeLine['status']; now: number }) {
  if (status === 'running') return <Text color="cyan">{FRAMES[Math.floor(now / 100) % FRAMES.length]}</Text>;
  if (status === 'ok') return <Text color="green">✓</Text>;
  if (status === 'failed') return <Text color="red">✗</Text>;
  return <Text dimColor>·</Text>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function Header({ title, step }: { title: string; step: string }) {
  return (
    <Box marginBottom={1}>
      <Text bold color="magenta">trace-wizard</Text>
      <Text dimColor> · {step} · </Text>
      <Text bold>{title}</Text>
    </Box>
  );
}

export function Keys({ keys }: { keys: string }) {
  return (
    <Box marginTop={1}>
      <Text dimColor>{keys}</Text>
    </Box>
  );
}

export function InterruptedScreen({ sessions, onAnswer }: { sessions: Array<{ id: string; repair: string; files: string[] }>; onAnswer: (rollBack: boolean) => void }) {
  const s = sessions[sessions.length - 1];
  return (
    <Box flexDirection="column">
      <Header step="start" title="An earlier repair was interrupted" />
      <Text>
        Backup session <Text bold>{s.id}</Text> ({s.repair}) did not finish. Its files ({s.files.join(', ')}) are each in their original or repaired state.
      </Text>
      <Box marginTop={1}>
        <SelectInput
          items={[
            { label: 'Roll it back: restore the originals and restart', value: true },
            { label: 'Leave it and go on', value: false },
          ]}
          onSelect={(i) => onAnswer(i.value)}
        />
      </Box>
    </Box>
  );
}

export function CandidatesScreen({ kind, list, onPick }: { kind: string; list: string[]; onPick: (path: string) => void }) {
  const [typing, setTyping] = useState(false);
  const [text, setText] = useState('');
  useInput(
    (input, key) => {
      if (key.return) onPick(text);
      else if (key.backspace || key.delete) setText((t) => t.slice(0, -1));
      else if (!key.ctrl && !key.meta && input) setText((t) => t + input);
    },
    { isActive: typing },
  );
  return (
    <Box flexDirection="column">
      <Header step="stack" title={`Several ${kind} files found`} />
      {typing ? (
        <Text>
          Path: <Text color="cyan">{text}</Text>
          <Text inverse> </Text>
        </Text>
      ) : (
        <SelectInput
          items={[...list.map((p) => ({ label: p, value: p })), { label: 'Type a path…', value: '' }]}
          onSelect={(i) => (i.value === '' ? setTyping(true) : onPick(i.value))}
        />
      )}
      <Keys keys="↑/↓ choose · Enter select · q quit" />
    </Box>
  );
}

export function StackSummary({ stack }: { stack: StackReport }) {
  return (
    <Box flexDirection="column" marginBottom={1}>
      {(['backend', 'collector', 'tempo'] as const).map((name) => {
        const c = stack[name];
        return (
          <Text key={name} wrap="truncate-end">
            <Text bold>{name.padEnd(10)}</Text>
            {c ? (
              <>
                {c.file} <Text dimColor>· {c.restart ?? (c.proposedRestart ? `proposed: ${c.proposedRestart}` : 'no restart configured')}</Text>
              </>
            ) : (
              <Text dimColor>not part of this stack</Text>
            )}
          </Text>
        );
      })}
    </Box>
  );
}

function FindingView({ f }: { f: Finding }) {
  const colour = f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'yellow' : 'cyan';
  return (
    <Box flexDirection="column" marginLeft={2}>
      <Text color={colour}>
        {f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : 'i'} {f.title}
      </Text>
      {f.evidence.slice(0, 3).map((e, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {'    ↳ '}
          {evidenceText(e)}
        </Text>
      ))}
    </Box>
  );
}

export function DiagnosisScreen({ stack, probes, diagnosis, now, onNext }: { stack?: StackReport; probes: ProbeLine[]; diagnosis?: Diagnosis; now: number; onNext: () => void }) {
  useInput((_, key) => key.return && diagnosis && onNext());
  const groups = diagnosis ? [...new Set(diagnosis.findings.map((f) => f.where))] : [];
  return (
    <Box flexDirection="column">
      <Header step="1/4" title={diagnosis ? (diagnosis.ok ? 'The pipeline works' : 'Why traces do not reach Tempo') : 'Diagnosing…'} />
      {stack && <StackSummary stack={stack} />}
      {!diagnosis &&
        probes.map((p) => (
          <Text key={p.id} wrap="truncate-end">
            <Mark status={p.status} now={now} /> {p.label} <Text dimColor>{seconds(p.ms ?? now - p.startedAt)}</Text>
          </Text>
        ))}
      {diagnosis && (
        <>
          {diagnosis.topology.map((h) => (
            <Text key={h.id} wrap="truncate-end">
              <Text color={h.status === 'ok' ? 'green' : h.status === 'failing' ? 'red' : 'yellow'}>{h.status === 'ok' ? '✓' : h.status === 'failing' ? '✗' : '?'}</Text> {h.from} → {h.to}{' '}
              <Text dimColor>{h.address}</Text>
            </Text>
          ))}
          {groups.map((g) => (
            <Box key={g} flexDirection="column" marginTop={1}>
              <Text bold>{g}</Text>
              {diagnosis.findings
                .filter((f) => f.where === g)
                .map((f) => (
                  <FindingView key={f.id + f.title} f={f} />
                ))}
            </Box>
          ))}
          {diagnosis.recommendation && (
            <Box marginTop={1} flexDirection="column">
              <Text>
                <Text bold color="green">Recommended: {diagnosis.recommendation.repair}</Text> — {REPAIR_SUMMARY[diagnosis.recommendation.repair]}.
              </Text>
              <Text dimColor>{diagnosis.recommendation.why}</Text>
            </Box>
          )}
          <Keys keys={diagnosis.ok ? 'Enter choose a repair anyway · q quit' : 'Enter choose a repair · q quit'} />
        </>
      )}
    </Box>
  );
}

export function ChooseScreen({ diagnosis, highlighted, planning, onHighlight, onChoose, onBack }: { diagnosis: Diagnosis; highlighted: RepairId; planning: boolean; onHighlight: (r: RepairId) => void; onChoose: (r: RepairId) => void; onBack: () => void }) {
  useInput((_, key) => key.escape && onBack());
  const rec = diagnosis.recommendation;
  const items = REPAIRS.map((r) => ({ label: `${r}${rec?.repair === r ? '  (recommended)' : ''}`, value: r }));
  const d = REPAIR_DETAILS[highlighted];
  return (
    <Box flexDirection="column">
      <Header step="2/4" title="Choose a repair" />
      <SelectInput items={items} initialIndex={Math.max(0, REPAIRS.indexOf(rec?.repair ?? highlighted))} onHighlight={(i) => onHighlight(i.value)} onSelect={(i) => onChoose(i.value)} />
      <Box flexDirection="column" borderStyle="round" paddingX={1} marginTop={1}>
        <Text bold>{REPAIR_SUMMARY[highlighted]}</Text>
        <Text>
          <Text dimColor>Changes: </Text>
          {d.changes}
        </Text>
        <Text>
          <Text dimColor>Restarts: </Text>
          {d.restarts}
        </Text>
        <Text>
          <Text dimColor>Security: </Text>
          {d.security}
        </Text>
        <Text color={rec?.repair === highlighted ? 'green' : 'yellow'}>{whyFor(highlighted, rec, diagnosis.language)}</Text>
      </Box>
      {planning && <Text color="cyan">Planning {highlighted}…</Text>}
      <Keys keys="↑/↓ move · Enter review the changes · Esc back · q quit" />
    </Box>
  );
}

/** The lines the review shows: diffs per file, new files, restarts, notes. */
export function reviewLines(plan: Plan): Array<{ text: string; colour?: string; bold?: boolean }> {
  const lines: Array<{ text: string; colour?: string; bold?: boolean }> = [];
  for (const e of plan.edits) {
    for (const l of e.diff.trimEnd().split('\n')) {
      const colour = l.startsWith('+++') || l.startsWith('---') ? undefined : l.startsWith('+') ? 'green' : l.startsWith('-') ? 'red' : l.startsWith('@@') ? 'cyan' : undefined;
      lines.push({ text: l, colour, bold: l.startsWith('+++') || l.startsWith('---') });
    }
    lines.push({ text: '' });
  }
  for (const c of plan.creates) lines.push({ text: `+ new file ${c.path.split('/').slice(-2).join('/')} — ${c.why}`, colour: 'green' });
  lines.push({ text: `Restarts: ${plan.restarts.join(', ')}`, bold: true });
  for (const n of plan.notes) lines.push({ text: `• ${n}`, colour: 'yellow' });
  if (plan.needsForce) lines.push({ text: `! ${plan.needsForce.split('\n')[0]}`, colour: 'red' });
  return lines;
}

export function ReviewScreen({ plan, rows, onConfirm, onBack }: { plan: Plan; rows: number; onConfirm: () => void; onBack: () => void }) {
  const lines = reviewLines(plan);
  const page = Math.max(5, rows - 8);
  const [top, setTop] = useState(0);
  const [armed, setArmed] = useState(!plan.needsForce);
  useInput((input, key) => {
    if (key.upArrow) setTop((t) => Math.max(0, t - 1));
    else if (key.downArrow) setTop((t) => Math.min(Math.max(0, lines.length - page), t + 1));
    else if (key.pageDown || input === ' ') setTop((t) => Math.min(Math.max(0, lines.length - page), t + page));
    else if (key.pageUp) setTop((t) => Math.max(0, t - page));
    else if (key.escape) onBack();
    else if (key.return && armed) onConfirm();
    else if (!armed && input === 'y') setArmed(true);
  });
  return (
    <Box flexDirection="column">
      <Header step="3/4" title={`Review: ${plan.repair}`} />
      {lines.slice(top, top + page).map((l, i) => (
        <Text key={top + i} color={l.colour} bold={l.bold} wrap="truncate-end">
          {l.text || ' '}
        </Text>
      ))}
      {lines.length > page && <Text dimColor>lines {top + 1}–{Math.min(lines.length, top + page)} of {lines.length} (↑/↓ scroll)</Text>}
      {!armed && <Text color="red">This repair will likely fail. Press y to apply it anyway.</Text>}
      <Keys keys={armed ? 'Enter apply · Esc back · q quit' : 'y confirm · Esc back · q quit'} />
    </Box>
  );
}

export function ApplyScreen({ tasks, now, askingCtrlC, rollbackRequested, onCtrlCAnswer }: { tasks: Task[]; now: number; askingCtrlC: boolean; rollbackRequested: boolean; onCtrlCAnswer: (rollBack: boolean) => void }) {
  return (
    <Box flexDirection="column">
      <Header step="4/4" title="Applying" />
      {tasks.map((t) => (
        <Box key={t.id} flexDirection="column">
          <Text wrap="truncate-end">
            <Mark status={t.status} now={now} /> {t.label}
            {t.status !== 'pending' && <Text dimColor> {seconds(t.ms ?? now - (t.startedAt ?? now))}</Text>}
          </Text>
          {t.detail && t.status !== 'pending' && (
            <Text dimColor wrap="truncate-end">
              {'    '}
              {t.detail}
            </Text>
          )}
        </Box>
      ))}
      {askingCtrlC && (
        <Box flexDirection="column" marginTop={1}>
          <Text color="yellow">Stop? Files are never left half-written; the current step finishes first.</Text>
          <SelectInput
            items={[
              { label: 'Roll back when this step ends', value: true },
              { label: 'Finish the repair', value: false },
            ]}
            onSelect={(i) => onCtrlCAnswer(i.value)}
          />
        </Box>
      )}
      {rollbackRequested && <Text color="yellow">Rolling back when the current step ends…</Text>}
    </Box>
  );
}

export function DoneScreen({ result, rollback, onRollBack, onExit }: { result: FixResult; rollback?: { status: TaskStatus; lines: string[] }; onRollBack: () => void; onExit: () => void }) {
  useInput((input, key) => (result.ok || rollback?.status === 'ok' || rollback?.status === 'failed') && (key.return || input === 'q') && onExit());
  const canary = result.verify?.canary;
  if (result.ok) {
    return (
      <Box flexDirection="column">
        <Header step="done" title="Traces reach Tempo" />
        <Text color="green">✓ {result.repair} applied, restarted and proven in {seconds(result.ms)}.</Text>
        {canary && (
          <Text>
            Canary trace <Text bold>{canary.traceId}</Text>
          </Text>
        )}
        {canary && <Text color="cyan">{canary.url}</Text>}
        <Text>
          Backup: <Text bold>{result.sessionId}</Text>
        </Text>
        <Text>
          To undo: <Text bold>trace-wizard rollback {result.sessionId}</Text>
        </Text>
        <Keys keys="Enter exit" />
      </Box>
    );
  }
  const f = result.verify?.failure;
  return (
    <Box flexDirection="column">
      <Header step="done" title="The repair did not prove itself" />
      <Text color="red">✗ {result.failure}</Text>
      {f && (
        <Text>
          Failing hop: <Text bold>{f.hop}</Text> — {f.cause}
        </Text>
      )}
      {!rollback && (
        <Box marginTop={1}>
          <SelectInput
            items={[
              { label: 'Roll back: restore the files and restart', value: 'rollback' },
              { label: `Keep the changes (undo later: trace-wizard rollback ${result.sessionId})`, value: 'keep' },
            ]}
            onSelect={(i) => (i.value === 'rollback' ? onRollBack() : onExit())}
          />
        </Box>
      )}
      {rollback && (
        <Box flexDirection="column" marginTop={1}>
          {rollback.lines.map((l, i) => (
            <Text key={i}>{l}</Text>
          ))}
          {rollback.status === 'running' && <Text color="cyan">Rolling back…</Text>}
          {rollback.status === 'ok' && <Text color="green">✓ Rolled back: the originals are in place and restarted.</Text>}
          {rollback.status !== 'running' && <Keys keys="Enter exit" />}
        </Box>
      )}
    </Box>
  );
}

export function ErrorScreen({ message, onExit }: { message: string; onExit: () => void }) {
  useInput((input, key) => (key.return || input === 'q') && onExit());
  return (
    <Box flexDirection="column">
      <Header step="stopped" title="Something needs your attention" />
      <Text color="red">✗ {message}</Text>
      <Keys keys="Enter exit" />
    </Box>
  );
}
