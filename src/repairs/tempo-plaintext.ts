/**
 * Repair 2, "tempo-plaintext": Tempo's OTLP/gRPC receiver drops its `tls` block (endpoint
 * kept, or narrowed to 127.0.0.1 on request — a wildcard exposes plaintext OTLP to the
 * network), the collector's exporter points at it with tls.insecure, and a backend that
 * sends to Tempo directly gets an http:// endpoint. Tempo and the collector restart.
 */
import { EnvFile } from '../edit/env-file.js';
import { YamlFile } from '../edit/yaml-file.js';
import { UserError } from '../errors.js';
import { isWildcard } from '../stack/endpoint.js';
import type { ComponentName } from '../stack/profile.js';
import type { Stack } from '../stack/stack.js';
import { tracesExporter } from './collector-tls.js';
import { edit, tempoGrpcReceiver, type Plan, type PlannedEdit } from './plan.js';

const GRPC = ['distributor', 'receivers', 'otlp', 'protocols', 'grpc'];

export async function planTempoPlaintext(stack: Stack, cwd: string, options: { localhostOnly?: boolean } = {}): Promise<Plan> {
  const t = stack.tempo;
  if (!t) throw new UserError('This repair edits tempo.yaml, and this stack has no Tempo config', 'Name it with --tempo-config.');
  const receiver = tempoGrpcReceiver(stack);
  const notes: string[] = [];
  const edits: PlannedEdit[] = [];
  const restarts: ComponentName[] = ['tempo'];
  const ty = YamlFile.parse(t.file.text, t.file.path);
  const ep = receiver.endpoint.value;
  if (options.localhostOnly && (isWildcard(ep.host) || ep.host !== '127.0.0.1')) {
    ty.set([...GRPC, 'endpoint'], `127.0.0.1:${ep.port}`);
    notes.push(`Tempo's receiver now listens on 127.0.0.1:${ep.port} only, so the plaintext port is not reachable from the network.`);
  } else if (isWildcard(ep.host)) {
    notes.push(`Warning: Tempo's receiver listens on ${ep.raw}: without TLS, plaintext OTLP is then open to the whole network. Add --localhost-only to bind it to 127.0.0.1.`);
  }
  if (ty.has([...GRPC, 'tls'])) ty.delete([...GRPC, 'tls']);
  const tempoEdit = edit(cwd, 'tempo', t.file, ty.toString());
  if (tempoEdit) edits.push(tempoEdit);
  notes.push("Tempo's OTLP receiver stops using TLS: traces travel unencrypted between the collector and Tempo. Tempo needs 15–20 s after its restart before it is ready.");
  const dial = options.localhostOnly ? '127.0.0.1' : isWildcard(ep.host) ? 'localhost' : ep.host;

  if (stack.collector) {
    const { c, e } = tracesExporter(stack);
    const y = YamlFile.parse(c.file.text, c.file.path);
    const at = (...k: string[]) => ['exporters', e.name, ...k];
    y.set(at('endpoint'), `${dial}:${ep.port}`);
    y.set(at('tls', 'insecure'), true);
    for (const k of ['ca_file', 'insecure_skip_verify', 'server_name_override']) if (y.has(at('tls', k))) y.delete(at('tls', k));
    const ce = edit(cwd, 'collector', c.file, y.toString());
    if (ce) edits.push(ce);
    restarts.push('collector');
  }
  const b = stack.backend;
  const sendsToTempo = b?.settings.endpoint && new RegExp(`:${ep.port}(/|$)`).test(b.settings.endpoint.value) && !stack.collector?.settings.receivers.some((r) => r.endpoint.value.port === ep.port);
  if (b && sendsToTempo) {
    const env = EnvFile.parse(b.file.text, b.file.path);
    const key = b.settings.endpointKey ?? 'OTEL_EXPORTER_OTLP_ENDPOINT';
    env.set(key, `http://${dial}:${ep.port}`);
    env.set(b.settings.protocolKey ?? 'OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    for (const k of ['OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'OTEL_EXPORTER_OTLP_INSECURE', 'OTEL_EXPORTER_OTLP_TRACES_INSECURE']) if (env.get(k) !== undefined) env.delete(k);
    const be = edit(cwd, 'backend', b.file, env.toString());
    if (be) {
      edits.push(be);
      restarts.push('backend');
      notes.push('The backend sends to Tempo directly: its endpoint becomes http:// (plaintext gRPC).');
    }
  }
  return { repair: 'tempo-plaintext', edits, creates: [], restarts, notes };
}
