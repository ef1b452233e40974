/**
 * The diagnose step: reads the stack, probes every hop and port at once (each probe with
 * its own deadline), reads the logs, and turns it all into findings, the observed topology
 * and a recommendation. Reports each probe as it starts and ends, for live progress.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { evaluate, senderKey } from '../diagnose/evaluate.js';
import { matchLog, type LogMatch } from '../diagnose/logs.js';
import type { Finding, Hop, Language, Recommendation } from '../diagnose/model.js';
import { describePort, probePort, type PortProbe } from '../diagnose/probe-port.js';
import { recommend } from '../diagnose/recommend.js';
import { backendSender, collectorSenders, listeners, probeHost, type Sender } from '../diagnose/senders.js';
import { httpGet, type HttpResult } from '../probe/http.js';
import { capturePanes } from '../restart/tmux.js';
import { display, type Stack } from '../stack/stack.js';

export interface DiagnoseOptions {
  timeoutMs: number;
  logFiles?: string[];
  cwd: string;
  onEvent?: (e: ProbeEvent) => void;
}

export type ProbeEvent = { type: 'probe-start'; id: string; label: string } | { type: 'probe-end'; id: string; label: string; ok: boolean; ms: number; summary: string };

export interface ProbeRecord {
  id: string;
  label: string;
  ok: boolean;
  ms: number;
  result: string;
}

export interface Diagnosis {
  ok: boolean;
  findings: Finding[];
  topology: Hop[];
  recommendation: Recommendation | null;
  probes: ProbeRecord[];
  language: Language;
  tempo: { api: string; version: string | null } | null;
  /** Port probes by `host:port`, for the repairs (Tempo's certificate chain). */
  ports: Map<string, PortProbe>;
}

const LANGUAGE_MARKERS: Array<[string, Language]> = [
  ['Cargo.toml', 'rust'],
  ['go.mod', 'go'],
  ['pyproject.toml', 'python'],
  ['requirements.txt', 'python'],
  ['pom.xml', 'java'],
  ['build.gradle', 'java'],
  ['build.gradle.kts', 'java'],
  ['package.json', 'node'],
];

/** The backend's language, from the project files beside its .env. */
export function detectLanguage(stack: Stack): { language: Language; marker?: string } {
  if (!stack.backend) return { language: 'unknown' };
  const dir = path.dirname(stack.backend.file.path);
  for (const [file, language] of LANGUAGE_MARKERS) if (existsSync(path.join(dir, file))) return { language, marker: path.join(dir, file) };
  return { language: 'unknown' };
}

export async function diagnose(stack: Stack, opts: DiagnoseOptions): Promise<Diagnosis> {
  const emit = opts.onEvent ?? (() => {});
  const probes: ProbeRecord[] = [];
  const timed = async <T>(id: string, label: string, run: () => Promise<T>, ok: (r: T) => boolean, summary: (r: T) => string): Promise<T> => {
    emit({ type: 'probe-start', id, label });
    const started = Date.now();
    const r = await run();
    const rec = { id, label, ok: ok(r), ms: Date.now() - started, result: summary(r) };
    probes.push(rec);
    emit({ type: 'probe-end', id, label, ok: rec.ok, ms: rec.ms, summary: rec.result });
    return r;
  };

  const { language, marker } = detectLanguage(stack);
  const senders: Sender[] = [...[backendSender(stack, language, opts.cwd)].filter((s): s is Sender => !!s), ...collectorSenders(stack, opts.cwd)];
  const known = listeners(stack, opts.cwd);

  // Every address a sender dials, and every OTLP receiver of the stack: probed once each, all at once.
  const addresses = new Map<string, { host: string; port: number; label: string; servername?: string }>();
  for (const s of senders) addresses.set(senderKey(s), { host: s.host, port: s.port, label: `${s.label} → ${senderKey(s)}`, servername: s.serverName });
  for (const l of known.filter((x) => x.owner === 'collector' || x.owner === 'tempo')) {
    const host = probeHost(l);
    if (![...addresses.values()].some((a) => a.port === l.port && (a.host === host || a.host === 'localhost'))) {
      addresses.set(`${host}:${l.port}`, { host, port: l.port, label: `${l.owner} ${l.protocol} receiver ${host}:${l.port}` });
    }
  }
  const portTasks = [...addresses.entries()].map(([key, a]) =>
    timed(`port ${key}`, a.label, () => probePort(a.host, a.port, opts.timeoutMs, a.servername), (p) => p.kind === 'otlp-grpc' || p.kind === 'http', describePort).then((p) => [key, p] as const),
  );

  const api = stack.tempo?.settings.api.value;
  const get = (url: string) => httpGet(url, { timeoutMs: opts.timeoutMs });
  const apiTask = api
    ? Promise.all(
        (['/ready', '/api/status/buildinfo', '/metrics'] as const).map((p) =>
          timed(`tempo ${p}`, `Tempo ${p}`, () => get(`${api}${p}`), (r) => r.ok && r.status === 200, (r: HttpResult) => (r.ok ? `${r.status}${p === '/ready' ? ` ${r.body.trim()}` : ''}` : r.error ?? 'failed')),
        ),
      )
    : Promise.resolve(undefined);
  const metricsAddress = stack.collector?.settings.metricsAddress.value;
  const metricsUrl = metricsAddress ? `http://${metricsAddress.replace(/^(0\.0\.0\.0|\[::\]|::)/, '127.0.0.1').replace(/^localhost/, '127.0.0.1')}/metrics` : undefined;
  const metricsTask = metricsUrl
    ? timed('collector metrics', `collector metrics ${metricsUrl}`, () => get(metricsUrl), (r) => r.ok && r.status === 200, (r) => (r.ok ? `${r.status}` : r.error ?? 'failed'))
    : Promise.resolve(undefined);
  const caTask = readCaFiles(senders);
  const logsTask = readLogs(stack, opts);

  const [portResults, apiResults, collectorMetrics, caFiles, logs] = await Promise.all([Promise.all(portTasks), apiTask, metricsTask, caTask, logsTask]);
  const ports = new Map(portResults);
  const evaluation = evaluate({
    stack,
    cwd: opts.cwd,
    language,
    languageEvidence: marker ? display(opts.cwd, marker) : undefined,
    senders,
    listeners: known,
    ports,
    caFiles,
    tempo: api && apiResults ? { api, ready: apiResults[0], buildinfo: apiResults[1], metrics: apiResults[2] } : undefined,
    collectorMetrics: metricsUrl && collectorMetrics ? { url: metricsUrl, result: collectorMetrics } : undefined,
    logs,
    now: Date.now(),
  });
  const recommendation = recommend({ stack, language, hops: evaluation.hops, findings: evaluation.findings }) ?? null;
  const pathOk = evaluation.hops.length > 0 && evaluation.hops.every((h) => h.status === 'ok');
  return {
    ok: pathOk && !evaluation.findings.some((f) => f.severity === 'error'),
    findings: evaluation.findings,
    topology: evaluation.hops,
    recommendation,
    probes: probes.sort((a, b) => a.id.localeCompare(b.id)),
    language,
    tempo: api ? { api, version: evaluation.tempoVersion ?? null } : null,
    ports,
  };
}

async function readCaFiles(senders: Sender[]): Promise<Map<string, string | Error>> {
  const out = new Map<string, string | Error>();
  for (const s of senders) {
    if (s.trust.kind !== 'ca' || out.has(s.trust.file)) continue;
    out.set(s.trust.file, await fs.readFile(s.trust.file, 'utf8').catch((e: Error) => e));
  }
  return out;
}

const WHOLE_LOG_BYTES = 32 * 1024 * 1024;

/** Each --logs file (its last 1 MB beyond 32 MB), and the last 200 lines of each component's tmux pane. */
async function readLogs(stack: Stack, opts: DiagnoseOptions): Promise<LogMatch[]> {
  const out: LogMatch[] = [];
  for (const file of opts.logFiles ?? []) {
    const abs = path.resolve(opts.cwd, file);
    const { size } = await fs.stat(abs);
    const name = display(opts.cwd, abs);
    if (size <= WHOLE_LOG_BYTES) out.push(...matchLog(name, await fs.readFile(abs, 'utf8')));
    else out.push(...matchLog(`${name} (last 1 MB)`, await tail(abs, 1024 * 1024)));
  }
  const inTmux = (['backend', 'collector', 'tempo'] as const).flatMap((name) => {
    const restart = stack[name]?.restart;
    return restart?.kind === 'tmux' ? [{ name, target: restart.target }] : [];
  });
  const texts = inTmux.length > 0 ? await capturePanes(inTmux.map((p) => p.target), 200).catch(() => []) : [];
  inTmux.forEach(({ name, target }, i) => out.push(...matchLog(`tmux pane ${target} (${name})`, texts[i] ?? '', name)));
  return out;
}

async function tail(file: string, bytes: number): Promise<string> {
  const h = await fs.open(file, 'r');
  try {
    const { size } = await h.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await h.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await h.close();
  }
}
