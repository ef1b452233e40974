/**
 * Repair 3, "collector-tls": the collector's exporter sends to Tempo's OTLP/gRPC receiver
 * with TLS on, trusting Tempo's certificate (captured into a PEM file named by tls.ca_file),
 * or — only when asked — skipping verification. `insecure: true` goes; server_name_override
 * is set when the dialled name is not in the certificate. Only the collector restarts.
 */
import path from 'node:path';
import { YamlFile } from '../edit/yaml-file.js';
import { UserError } from '../errors.js';
import type { Stack } from '../stack/stack.js';
import { captureTempoTls, edit, pemTarget, relativeFrom, type Plan } from './plan.js';

export function tracesExporter(stack: Stack) {
  const c = stack.collector;
  if (!c) throw new UserError('This repair edits the collector’s config, and this stack has no collector', 'Pick the direct repair, or name the config with --collector-config.');
  const e = c.settings.exporters.find((x) => x.inTracesPipeline && x.kind === 'otlp');
  if (!e) throw new UserError(`${c.file.path}: no OTLP gRPC exporter (otlp, otlp/<name>, otlp_grpc) in a traces pipeline`, 'Add one, or pick the direct repair.');
  return { c, e };
}

export async function planCollectorTls(stack: Stack, cwd: string, options: { skipVerify?: boolean } = {}): Promise<Plan> {
  const { c, e } = tracesExporter(stack);
  const tls = await captureTempoTls(stack);
  const y = YamlFile.parse(c.file.text, c.file.path);
  const at = (...k: string[]) => ['exporters', e.name, ...k];
  const notes: string[] = [];
  const creates: Plan['creates'] = [];
  y.set(at('endpoint'), `${tls.dialName}:${tls.port}`);
  if (options.skipVerify) {
    y.set(at('tls', 'insecure_skip_verify'), true);
    notes.push('tls.insecure_skip_verify: true — the connection is encrypted but any certificate is accepted, so anyone who can intercept it can read and alter traces. Without --skip-verify the collector trusts Tempo\'s own certificate instead.');
  } else {
    const collectorCwd = c.restart && 'cwd' in c.restart && c.restart.cwd ? c.restart.cwd : stack.root;
    const pem = pemTarget(path.dirname(c.file.realPath), tls.chainPem);
    if (!pem.exists) creates.push({ path: pem.path, content: tls.chainPem, mode: 0o644, why: `Tempo's certificate chain, ${tls.fromConfig ? "read from the file Tempo's config names (Tempo did not answer)" : 'captured from the TLS handshake'}, for the collector to trust` });
    y.set(at('tls', 'ca_file'), relativeFrom(collectorCwd, pem.path));
  }
  if (tls.serverName) {
    y.set(at('tls', 'server_name_override'), tls.serverName);
    notes.push(`tls.server_name_override: ${tls.serverName} — the collector dials ${tls.dialName}, which the certificate does not hold.`);
  } else if (y.has(at('tls', 'server_name_override'))) y.delete(at('tls', 'server_name_override'));
  // Deletions last: they may empty a map the sets above still need.
  if (y.has(at('tls', 'insecure'))) {
    y.delete(at('tls', 'insecure'));
    notes.push('tls.insecure removed: it turned TLS off, and Tempo\'s receiver requires TLS.');
  }
  if (!options.skipVerify && y.has(at('tls', 'insecure_skip_verify'))) y.delete(at('tls', 'insecure_skip_verify'));
  if (/^https?:\/\//.test(e.endpoint?.value ?? '')) notes.push('The http:// or https:// prefix is dropped: for the gRPC exporter it never decided TLS.');
  return {
    repair: 'collector-tls',
    edits: [edit(cwd, 'collector', c.file, y.toString())].filter((x): x is NonNullable<typeof x> => !!x),
    creates,
    restarts: ['collector'],
    notes,
  };
}
