/**
 * A laid-out demo stack (real files, free ports) with its Tempo and collector replicas
 * running in this process; the backend process is not needed to diagnose. Stopped and
 * removed when the test ends.
 */
import path from 'node:path';
import { YamlFile } from '../../src/edit/yaml-file.js';
import type { BackendFlavour } from '../../src/sandbox/backend.js';
import type { CertOptions } from '../../src/sandbox/certs.js';
import { CollectorReplica } from '../../src/sandbox/collector.js';
import { choosePorts, layOut, type DemoPorts, type Layout } from '../../src/sandbox/layout.js';
import { TempoReplica } from '../../src/sandbox/tempo.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { cleanup, tempDir } from './tmp.js';

export interface StackUnderTest {
  layout: Layout;
  ports: DemoPorts;
  tempo?: TempoReplica;
  collector?: CollectorReplica;
  collectorLogs: string[];
}

export interface StackOptions {
  backend?: BackendFlavour;
  cert?: CertOptions;
  /** Edits to the collector config before it starts: [path, value | undefined to delete]. */
  exporter?: (ports: DemoPorts) => Array<[string[], string | boolean | undefined]>;
  env?: (ports: DemoPorts) => Record<string, string | undefined>;
  /** Edits to tempo.yaml before Tempo starts: [path, value]. */
  tempo?: (ports: DemoPorts) => Array<[string[], string]>;
  startCollector?: boolean;
  startTempo?: boolean;
  /** The profile restarts (and diagnosis reads the panes of) this tmux session's windows tempo, collector, backend. */
  tmuxSession?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<StackUnderTest> {
  const dir = tempDir('tw-stack-');
  const ports = await choosePorts(false);
  const layout = await layOut({ dir, ports, backend: opts.backend ?? 'node', cert: opts.cert, tmuxSession: opts.tmuxSession });
  if (opts.exporter) {
    const y = YamlFile.parse(readFileSync(layout.collectorConfig, 'utf8'));
    const edits = opts.exporter(ports);
    for (const [p, v] of edits) if (v !== undefined) y.set(p, v);
    for (const [p, v] of edits) if (v === undefined) y.delete(p);
    writeFileSync(layout.collectorConfig, y.toString());
  }
  if (opts.tempo) {
    const y = YamlFile.parse(readFileSync(layout.tempoConfig, 'utf8'));
    for (const [p, v] of opts.tempo(ports)) y.set(p, v);
    writeFileSync(layout.tempoConfig, y.toString());
  }
  if (opts.env) {
    const { EnvFile } = await import('../../src/edit/env-file.js');
    const e = EnvFile.parse(readFileSync(layout.env, 'utf8'));
    for (const [k, v] of Object.entries(opts.env(ports))) {
      if (v === undefined) e.delete(k);
      else e.set(k, v);
    }
    writeFileSync(layout.env, e.toString());
  }
  const collectorLogs: string[] = [];
  const s: StackUnderTest = { layout, ports, collectorLogs };
  if (opts.startTempo !== false) {
    s.tempo = await TempoReplica.start({ configPath: layout.tempoConfig, log: () => {} });
    cleanup(() => s.tempo!.stop());
  }
  if (opts.startCollector !== false) {
    s.collector = await CollectorReplica.start({ configPath: layout.collectorConfig, cwd: dir, log: (l) => collectorLogs.push(l) });
    cleanup(() => s.collector!.stop());
  }
  return s;
}

export const EXPORTER = ['exporters', 'otlp/tempo'];
export const at = (...p: string[]) => [...EXPORTER, ...p];
export const TLS_CA = path.join('tls', 'tempo.crt');
