/** The resolved stack as plain data: what `stack` prints and `--json` emits. */
import type { Origin, Receiver, Sourced } from './components.js';
import type { RestartSpec } from './profile.js';
import { display, type Stack } from './stack.js';

export interface StackValue {
  name: string;
  value: string;
  /** "file:line", "default", "profile file:line" or "flag". */
  source: string;
}

export interface ComponentReport {
  file: string;
  chosenBy: string;
  restart: string | null;
  /** When the profile has no restart: what discovery proposes (to confirm and add to the profile). */
  proposedRestart: string | null;
  values: StackValue[];
}

export interface StackReport {
  root: string;
  profile: string | null;
  backend: ComponentReport | null;
  collector: ComponentReport | null;
  tempo: ComponentReport | null;
  notes: string[];
}

export function describeRestart(spec: RestartSpec | undefined, cwd: string): string | null {
  if (!spec) return null;
  const inDir = (d?: string) => (d ? ` (in ${display(cwd, d)})` : '');
  switch (spec.kind) {
    case 'tmux':
      return `tmux pane ${spec.target}${spec.respawn ? ' (respawn)' : ''}: ${spec.command}${inDir(spec.cwd)}`;
    case 'process': {
      const id = spec.pid ? `pid ${spec.pid}` : spec.pidfile ? `pidfile ${display(cwd, spec.pidfile)}` : `listener on port ${spec.port}`;
      return `process (${id}): ${spec.command}${inDir(spec.cwd)}`;
    }
    case 'systemd':
      return `systemd unit ${spec.unit}`;
    case 'compose':
      return `docker compose service ${spec.service} (${display(cwd, spec.file)})`;
    case 'run':
      return `command: ${spec.command}${inDir(spec.cwd)}`;
  }
}

export function describeOrigin(o: Origin, cwd: string): string {
  if (o.kind === 'default') return 'default';
  if (o.kind === 'flag') return 'flag';
  const loc = o.file ? `${display(cwd, o.file)}${o.line ? `:${o.line}` : ''}` : '';
  return o.kind === 'profile' ? `profile ${loc}` : loc;
}

function value(name: string, s: Sourced<unknown> | undefined, cwd: string): StackValue[] {
  if (!s) return [];
  return [{ name, value: String(s.value), source: describeOrigin(s.origin, cwd) }];
}

function receiverValues(prefix: string, receivers: Receiver[], cwd: string): StackValue[] {
  return receivers.map((r) => ({
    name: `${prefix} ${r.protocol}`,
    value: `${r.endpoint.value.raw}${r.tls ? ' (TLS)' : ' (plaintext)'}`,
    source: describeOrigin(r.endpoint.origin, cwd),
  }));
}

export function describeStack(stack: Stack, cwd: string, proposals: Partial<Record<'backend' | 'collector' | 'tempo', string>> = {}): StackReport {
  const { backend, collector, tempo } = stack;
  const base = (c: { file: { path: string }; origin: Origin; restart?: RestartSpec }, name: 'backend' | 'collector' | 'tempo') => ({
    file: display(cwd, c.file.path),
    chosenBy: c.origin.kind === 'default' ? 'discovered' : describeOrigin(c.origin, cwd),
    restart: describeRestart(c.restart, cwd),
    proposedRestart: c.restart ? null : (proposals[name] ?? null),
  });
  return {
    root: stack.root,
    profile: stack.profile ? display(cwd, stack.profile.path) : null,
    backend: backend
      ? {
          ...base(backend, 'backend'),
          values: [
            ...value(`endpoint (${backend.settings.endpointKey ?? 'OTEL_EXPORTER_OTLP_ENDPOINT'})`, backend.settings.endpoint, cwd),
            ...(backend.settings.protocol
              ? value('protocol', backend.settings.protocol, cwd)
              : [{ name: 'protocol', value: 'unset (the SDK default: http/protobuf for Node, Java; grpc for Rust)', source: 'default' }]),
            ...value('OTEL_EXPORTER_OTLP_INSECURE', backend.settings.insecure, cwd),
            ...value('trusted certificate', backend.settings.certificate, cwd),
            ...value('service name', backend.settings.serviceName, cwd),
            ...value('port', backend.settings.port, cwd),
          ],
        }
      : null,
    collector: collector
      ? {
          ...base(collector, 'collector'),
          values: [
            ...receiverValues('receiver', collector.settings.receivers, cwd),
            ...collector.settings.exporters.flatMap((e) => {
              const tls = [
                e.insecure ? `tls.insecure: ${e.insecure.value}` : '',
                e.insecureSkipVerify ? `tls.insecure_skip_verify: ${e.insecureSkipVerify.value}` : '',
                e.caFile ? `tls.ca_file: ${e.caFile.value}` : '',
                e.serverNameOverride ? `tls.server_name_override: ${e.serverNameOverride.value}` : '',
              ].filter(Boolean);
              return [
                {
                  name: `exporter ${e.name}`,
                  value: `${e.endpoint?.value ?? '(no endpoint)'}${tls.length ? `, ${tls.join(', ')}` : ', TLS with system CAs'}${e.inTracesPipeline ? '' : ' (not in a traces pipeline)'}`,
                  source: e.endpoint ? describeOrigin(e.endpoint.origin, cwd) : `${display(cwd, collector.file.path)}:${e.line}`,
                },
              ];
            }),
            ...value('metrics', collector.settings.metricsAddress, cwd),
          ],
        }
      : null,
    tempo: tempo
      ? {
          ...base(tempo, 'tempo'),
          values: [
            ...receiverValues('OTLP receiver', tempo.settings.receivers, cwd),
            ...value('internal gRPC port (not OTLP)', tempo.settings.grpcPort, cwd),
            { ...value('HTTP API', tempo.settings.api, cwd)[0] },
          ],
        }
      : null,
    notes: stack.notes,
  };
}

export function renderStack(report: StackReport, paint: (c: 'bold' | 'dim', t: string) => string): string {
  const lines = [`Stack in ${report.root}${report.profile ? ` (profile ${report.profile})` : ' (discovered)'}`];
  for (const name of ['backend', 'collector', 'tempo'] as const) {
    const c = report[name];
    lines.push('');
    if (!c) {
      lines.push(`${paint('bold', name)}  not part of this stack`);
      continue;
    }
    lines.push(`${paint('bold', name)}  ${c.file}${c.chosenBy === 'discovered' ? paint('dim', '  (discovered)') : ''}`);
    const width = Math.max(...c.values.map((v) => v.name.length), 'restart'.length);
    const valueWidth = Math.max(...c.values.map((v) => v.value.length));
    for (const v of c.values) lines.push(`  ${v.name.padEnd(width)}  ${v.value.padEnd(valueWidth)}  ${paint('dim', v.source)}`);
    lines.push(`  ${'restart'.padEnd(width)}  ${c.restart ?? (c.proposedRestart ? `not configured; proposed: ${c.proposedRestart}` : paint('dim', 'not configured'))}`);
  }
  for (const n of report.notes) lines.push('', `note: ${n}`);
  return lines.join('\n');
}

