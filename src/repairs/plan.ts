/**
 * A repair as data: the file edits (before, after, diff), the files to create, the
 * components to restart, and notes for the user. Built without writing anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unifiedDiff } from '../edit/diff.js';
import type { TextFile } from '../edit/safe-file.js';
import type { RepairId } from '../diagnose/model.js';
import { certCovers, pemBlocks } from '../diagnose/certs.js';
import { X509Certificate } from 'node:crypto';
import { probeTls, sansOf } from '../probe/tls.js';
import { dialHost } from '../stack/endpoint.js';
import type { Receiver } from '../stack/components.js';
import type { ComponentName } from '../stack/profile.js';
import { display, type Stack } from '../stack/stack.js';
import { UserError } from '../errors.js';

export interface PlannedEdit {
  component: ComponentName;
  file: TextFile;
  after: string;
  /** Unified diff, secrets masked. */
  diff: string;
}

export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
  why: string;
}

export interface Plan {
  repair: RepairId;
  edits: PlannedEdit[];
  creates: PlannedFile[];
  restarts: ComponentName[];
  /** What the user should know: why a line goes, what a change exposes. */
  notes: string[];
  /** Set when the repair will likely fail and needs explicit confirmation (--force). */
  needsForce?: string;
}

export function edit(cwd: string, component: ComponentName, file: TextFile, after: string): PlannedEdit | undefined {
  if (after === file.text) return undefined;
  return { component, file, after, diff: unifiedDiff(display(cwd, file.path), file.text, after) };
}

/** Tempo's OTLP/gRPC receiver, where the repairs send. */
export function tempoGrpcReceiver(stack: Stack): Receiver {
  const r = stack.tempo?.settings.receivers.find((x) => x.protocol === 'grpc');
  if (!r) throw new UserError("Tempo's config has no OTLP gRPC receiver (distributor.receivers.otlp.protocols.grpc)", 'Add one to tempo.yaml, or pick another repair.');
  return r;
}

export interface TempoTls {
  /** The chain as Tempo presented it in the handshake, PEM. */
  chainPem: string;
  /** Tempo did not answer: the certificate was read from the file its config names. */
  fromConfig: boolean;
  /** The name to dial: one the certificate holds. */
  dialName: string;
  /** Set when no local name is in the certificate: verify as this name instead. */
  serverName?: string;
  port: number;
}

/** Captures Tempo's certificate chain from a real handshake and chooses the name to dial. */
export async function captureTempoTls(stack: Stack, timeoutMs = 3000): Promise<TempoTls> {
  const r = tempoGrpcReceiver(stack);
  const host = dialHost(r.endpoint.value.host === 'localhost' ? '127.0.0.1' : r.endpoint.value.host);
  const probe = await probeTls(host, r.endpoint.value.port, { timeoutMs });
  let chainPem: string;
  let sans: string[];
  if (probe.tls) {
    chainPem = probe.chainPem;
    sans = probe.certificate.sans;
  } else {
    // Tempo is down: the certificate its config names is the one it will present.
    const fromConfig = r.certFile ? readCertFile(r.certFile.value) : undefined;
    if (!fromConfig) {
      throw new UserError(
        `Could not read Tempo's certificate from ${host}:${r.endpoint.value.port} (${probe.error}), nor from its config`,
        'Start Tempo (with its TLS receiver) so that its certificate can be captured, then run again.',
      );
    }
    ({ chainPem, sans } = fromConfig);
  }
  const local = r.endpoint.value.host === '0.0.0.0' || r.endpoint.value.host === '::' ? ['localhost', '127.0.0.1'] : [r.endpoint.value.host];
  const covered = local.find((n) => certCovers(sans, n));
  const dns = sans.find((s) => s.startsWith('DNS:'))?.slice(4);
  return {
    chainPem,
    fromConfig: !probe.tls,
    dialName: covered ?? local[0],
    serverName: covered ? undefined : dns,
    port: r.endpoint.value.port,
  };
}

function readCertFile(file: string): { chainPem: string; sans: string[] } | undefined {
  try {
    const pem = readFileSync(file, 'utf8');
    const first = pemBlocks(pem)[0];
    if (!first) return undefined;
    const sans = sansOf(new X509Certificate(first));
    return { chainPem: pemBlocks(pem).join('\n') + '\n', sans };
  } catch {
    return undefined;
  }
}

/**
 * Where to write the captured certificate: `tempo-ca.pem` in `dir`, or the same file again
 * when it already holds exactly this PEM, or a numbered name beside it.
 */
export function pemTarget(dir: string, pem: string): { path: string; exists: boolean } {
  for (let i = 0; i < 100; i++) {
    const p = path.join(dir, i === 0 ? 'tempo-ca.pem' : `tempo-ca-${i}.pem`);
    if (!existsSync(p)) return { path: p, exists: false };
    if (readFileSync(p, 'utf8') === pem) return { path: p, exists: true };
  }
  throw new UserError(`Too many tempo-ca*.pem files in ${dir}`);
}

/** A path as a config should name it: relative to the folder the component runs in. */
export function relativeFrom(cwd: string, target: string): string {
  const rel = path.relative(cwd, target);
  return rel.startsWith('..') ? target : rel.startsWith('.') ? rel : `./${rel}`;
}
