/** The doctor-style text report of a diagnosis, and its JSON form (schema: docs/diagnose.schema.json). */
import type { Diagnosis } from '../steps/diagnose.js';
import type { Evidence, Finding } from './model.js';
import { REPAIR_SUMMARY } from './recommend.js';

export type Paint = (c: 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', t: string) => string;

const MARK = { error: '✗', warning: '!', info: 'i' } as const;

export function evidenceText(e: Evidence): string {
  switch (e.kind) {
    case 'file':
      return `${e.file}:${e.line}  ${e.text.trim()}`;
    case 'probe':
      return `probe ${e.target}: ${e.result}`;
    case 'log':
      return `${e.source}:${e.line}  ${e.text.length > 220 ? `${e.text.slice(0, 219)}…` : e.text}`;
    case 'metric':
      return `${e.source}: ${e.text}`;
  }
}

function findingLines(f: Finding, paint: Paint): string[] {
  const colour = f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'yellow' : 'cyan';
  return [
    `    ${paint(colour, MARK[f.severity])} ${f.title}  ${paint('dim', `[${f.id}]`)}`,
    ...wrap(f.explanation, 90).map((l) => `      ${l}`),
    ...f.evidence.map((e) => `      ${paint('dim', '↳')} ${evidenceText(e)}`),
    ...(f.fixedBy.length ? [`      ${paint('dim', `fixed by: ${f.fixedBy.join(', ')}`)}`] : []),
  ];
}

export function renderDiagnosis(d: Diagnosis, paint: Paint): string {
  const out: string[] = [];
  const shown = new Set<Finding>();
  out.push(paint('bold', 'Hops'));
  for (const h of d.topology) {
    const mark = h.status === 'ok' ? paint('green', '✓') : h.status === 'failing' ? paint('red', '✗') : paint('yellow', '?');
    out.push(`${mark} ${h.from} → ${h.to}  ${paint('dim', `${h.address}, ${h.protocol}, ${h.tls ? 'TLS' : 'plaintext'}`)}`);
    out.push(`    ${paint('dim', h.detail)}`);
    for (const f of d.findings.filter((x) => x.where === h.id && !shown.has(x))) {
      shown.add(f);
      out.push(...findingLines(f, paint));
    }
  }
  const rest = d.findings.filter((f) => !shown.has(f));
  for (const where of [...new Set(rest.map((f) => f.where))]) {
    out.push('', paint('bold', where));
    for (const f of rest.filter((x) => x.where === where)) out.push(...findingLines(f, paint));
  }
  const count = (s: Finding['severity']) => d.findings.filter((f) => f.severity === s).length;
  out.push('', paint('bold', 'Summary'));
  out.push(
    d.ok
      ? `${paint('green', '✓')} The pipeline works end to end${count('warning') ? `, with ${count('warning')} warning(s)` : ''}.`
      : `${paint('red', '✗')} Traces do not reach Tempo: ${count('error')} error(s), ${count('warning')} warning(s).`,
  );
  if (d.recommendation) {
    const r = d.recommendation;
    out.push('', `${paint('bold', 'Recommended repair:')} ${r.repair} — ${REPAIR_SUMMARY[r.repair]}.`);
    out.push(...wrap(r.why, 96).map((l) => `  ${l}`));
    if (r.runnerUp) {
      out.push(`${paint('bold', 'Runner-up:')} ${r.runnerUp} — ${REPAIR_SUMMARY[r.runnerUp]}.`);
      out.push(...wrap(r.runnerUpWhy ?? '', 96).map((l) => `  ${l}`));
    }
  }
  return out.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The documented JSON object of `diagnose --json`. */
export function diagnosisJson(d: Diagnosis, stack: { root: string; profile: string | null }) {
  const count = (s: Finding['severity']) => d.findings.filter((f) => f.severity === s).length;
  return {
    version: 1,
    ok: d.ok,
    stack,
    summary: { errors: count('error'), warnings: count('warning'), infos: count('info') },
    topology: d.topology,
    findings: d.findings,
    recommendation: d.recommendation,
    tempo: d.tempo,
    backendLanguage: d.language,
    probes: d.probes,
  };
}
