/**
 * Repair 1, "direct": the backend sends straight to Tempo's OTLP/gRPC receiver over TLS and
 * trusts Tempo's certificate, captured from the handshake into a PEM file beside its .env
 * and named in OTEL_EXPORTER_OTLP_CERTIFICATE. OTEL_EXPORTER_OTLP_INSECURE goes: with an
 * https:// endpoint it is ignored, and it never meant "skip verification".
 */
import path from 'node:path';
import { EnvFile } from '../edit/env-file.js';
import { UserError } from '../errors.js';
import { detectLanguage } from '../steps/diagnose.js';
import { readsCertificateEnv } from '../diagnose/model.js';
import type { Stack } from '../stack/stack.js';
import { captureTempoTls, edit, pemTarget, relativeFrom, tempoGrpcReceiver, type Plan } from './plan.js';

export const RUST_CODE_CHANGE = `// Cargo.toml: opentelemetry-otlp = { version = "…", features = ["grpc-tonic", "tls"] }
use opentelemetry_otlp::{WithExportConfig, WithTonicConfig};
use tonic::transport::{Certificate, ClientTlsConfig};

let ca = Certificate::from_pem(std::fs::read("tempo-ca.pem")?);
let exporter = opentelemetry_otlp::SpanExporter::builder()
    .with_tonic()
    .with_endpoint("https://localhost:4317")
    .with_tls_config(ClientTlsConfig::new().ca_certificate(ca).domain_name("localhost"))
    .build()?;`;

export async function planDirect(stack: Stack, cwd: string): Promise<Plan> {
  const b = stack.backend;
  if (!b) throw new UserError('The direct repair edits the backend’s .env, and this stack has no backend', 'Pick tempo-plaintext or collector-tls, or name the .env with --env.');
  const receiver = tempoGrpcReceiver(stack);
  const env = EnvFile.parse(b.file.text, b.file.path);
  const notes: string[] = [];
  const s = b.settings;
  const endpointKey = s.endpointKey ?? 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const protocolKey = s.protocolKey ?? (endpointKey.includes('_TRACES_') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const certKey = endpointKey.includes('_TRACES_') ? 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE' : 'OTEL_EXPORTER_OTLP_CERTIFICATE';
  const creates: Plan['creates'] = [];

  if (receiver.tls) {
    const tls = await captureTempoTls(stack);
    const envDir = path.dirname(b.file.realPath);
    const backendCwd = b.restart && 'cwd' in b.restart && b.restart.cwd ? b.restart.cwd : envDir;
    const pem = pemTarget(envDir, tls.chainPem);
    if (!pem.exists) creates.push({ path: pem.path, content: tls.chainPem, mode: 0o644, why: `Tempo's certificate chain, ${tls.fromConfig ? "read from the file Tempo's config names (Tempo did not answer)" : 'captured from the TLS handshake'}, for the backend to trust` });
    env.set(endpointKey, `https://${tls.dialName}:${tls.port}`);
    env.set(protocolKey, 'grpc');
    env.set(certKey, relativeFrom(backendCwd, pem.path));
    if (tls.serverName) notes.push(`The certificate does not hold ${tls.dialName}; SDKs cannot override the name from .env, so verification may fail (the certificate holds ${tls.serverName}).`);
  } else {
    env.set(endpointKey, `http://${receiver.endpoint.value.host === '0.0.0.0' ? 'localhost' : receiver.endpoint.value.host}:${receiver.endpoint.value.port}`);
    env.set(protocolKey, 'grpc');
  }
  for (const key of ['OTEL_EXPORTER_OTLP_INSECURE', 'OTEL_EXPORTER_OTLP_TRACES_INSECURE']) {
    if (env.get(key) !== undefined) {
      env.delete(key);
      notes.push(`${key} removed: with an https:// endpoint it is ignored, and by the OpenTelemetry specification it means "no TLS at all" — never "skip certificate verification". Trust comes from ${certKey} instead.`);
    }
  }
  notes.push(`${protocolKey}=grpc: port ${receiver.endpoint.value.port} is OTLP/gRPC (the Node SDK would otherwise send http/protobuf).`);
  const { language } = detectLanguage(stack);
  const plan: Plan = {
    repair: 'direct',
    edits: [edit(cwd, 'backend', b.file, env.toString())].filter((e): e is NonNullable<typeof e> => !!e),
    creates,
    restarts: ['backend'],
    notes,
  };
  if (receiver.tls && !readsCertificateEnv(language)) {
    plan.needsForce =
      "This backend looks like a Rust project: the opentelemetry-otlp crate ignores OTEL_EXPORTER_OTLP_CERTIFICATE, so after this change it will still reject Tempo's self-signed certificate and the proof will likely fail. " +
      `Trusting the certificate needs a code change:\n\n${RUST_CODE_CHANGE}\n\nRecommended instead: collector-tls or tempo-plaintext.`;
  }
  return plan;
}
