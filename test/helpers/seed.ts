import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEED } from './tmp.js';

/** The profile exactly as the README documents it. */
export const DOCUMENTED_PROFILE = [
  'backend:',
  '  env: backend/.env',
  '  restart: { tmux: "main:5", command: "./target/release/ag", cwd: backend }',
  'collector:',
  '  config: otel-collector-config.yaml',
  '  restart: { tmux: "main:3", command: "otelcol --config otel-collector-config.yaml" }',
  'tempo:',
  '  config: tempo.yaml',
  '  api: https://localhost:3200        # optional: derived from the config when absent',
  '  restart: { process: { pidfile: run/tempo.pid }, command: "tempo -config.file=tempo.yaml" }',
  '',
].join('\n');

/** Lays the seed stack (shared/reference/seed-stack) out in `dir`, with a profile. */
export function layOutSeed(dir: string, options: { profile?: boolean } = {}): { env: string; collector: string; tempo: string } {
  mkdirSync(path.join(dir, 'backend'), { recursive: true });
  const env = path.join(dir, 'backend', '.env');
  const collector = path.join(dir, 'otel-collector-config.yaml');
  const tempo = path.join(dir, 'tempo.yaml');
  // Copy the bytes, not the mode: the reference files are read-only.
  writeFileSync(env, readFileSync(path.join(SEED, 'backend.env')), { mode: 0o644 });
  writeFileSync(collector, readFileSync(path.join(SEED, 'otel-collector-config.yaml')), { mode: 0o644 });
  writeFileSync(tempo, readFileSync(path.join(SEED, 'tempo.yaml')), { mode: 0o644 });
  if (options.profile !== false) {
    writeFileSync(path.join(dir, 'trace-wizard.yaml'), DOCUMENTED_PROFILE);
  }
  return { env, collector, tempo };
}
