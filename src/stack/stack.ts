/**
 * Resolves the stack a command works on: from `--profile`, `./trace-wizard.yaml`, or
 * discovery, with `--env`, `--collector-config` and `--tempo-config` overriding. Reads
 * and parses every file once; everything downstream works on this object.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { EnvFile } from '../edit/env-file.js';
import { readTextFile, type TextFile } from '../edit/safe-file.js';
import { Redactor } from '../edit/secrets.js';
import { YamlFile } from '../edit/yaml-file.js';
import { UserError } from '../errors.js';
import {
  backendSettings,
  collectorSettings,
  tempoSettings,
  type BackendSettings,
  type CollectorSettings,
  type Origin,
  type TempoSettings,
} from './components.js';
import { discover, type FileKind } from './discover.js';
import { PROFILE_NAME, parseProfile, type Profile, type RestartSpec } from './profile.js';

export interface StackOptions {
  cwd: string;
  profile?: string;
  env?: string;
  collectorConfig?: string;
  tempoConfig?: string;
  /** Asked when discovery finds several candidates; without it that is an error naming the flag. */
  choose?: (kind: FileKind, candidates: string[]) => Promise<string>;
}

interface ComponentBase {
  file: TextFile;
  /** How the file was chosen. */
  origin: Origin;
  restart?: RestartSpec & { readyTimeout?: number };
}

export interface BackendComponent extends ComponentBase {
  env: EnvFile;
  settings: BackendSettings;
}
export interface CollectorComponent extends ComponentBase {
  yaml: YamlFile;
  settings: CollectorSettings;
}
export interface TempoComponent extends ComponentBase {
  yaml: YamlFile;
  settings: TempoSettings;
}

export interface Stack {
  /** The stack's folder (real path): the profile's folder, or where the command ran. */
  root: string;
  profile?: Profile;
  backend?: BackendComponent;
  collector?: CollectorComponent;
  tempo?: TempoComponent;
  redactor: Redactor;
  /** Things worth telling the user (e.g. duplicate keys that do not count). */
  notes: string[];
}

export const FLAG_FOR: Record<FileKind, string> = { backend: '--env', collector: '--collector-config', tempo: '--tempo-config' };

export async function resolveStack(opts: StackOptions): Promise<Stack> {
  const profilePath = opts.profile ? path.resolve(opts.cwd, opts.profile) : path.join(opts.cwd, PROFILE_NAME);
  let profile: Profile | undefined;
  if (opts.profile || existsSync(profilePath)) {
    const file = await readTextFile(profilePath, path.dirname(profilePath));
    profile = parseProfile(file.text, opts.profile ?? PROFILE_NAME, path.dirname(profilePath));
  }
  const root = await fs.realpath(profile?.dir ?? opts.cwd);
  const flags: Record<FileKind, string | undefined> = { backend: opts.env, collector: opts.collectorConfig, tempo: opts.tempoConfig };

  const chosen: Partial<Record<FileKind, { path: string; origin: Origin }>> = {};
  const undecided: FileKind[] = [];
  for (const kind of ['backend', 'collector', 'tempo'] as const) {
    const flag = flags[kind];
    const fromProfile = profile?.components[kind];
    if (flag) chosen[kind] = { path: path.resolve(opts.cwd, flag), origin: { kind: 'flag' } };
    else if (fromProfile) chosen[kind] = { path: fromProfile.file, origin: { kind: 'profile', file: profile!.path, line: fromProfile.line } };
    else if (!profile) undecided.push(kind);
  }
  if (undecided.length > 0) {
    const candidates = await discover(root);
    for (const kind of undecided) {
      const list = candidates[kind];
      if (list.length === 1) chosen[kind] = { path: list[0], origin: { kind: 'default' } };
      else if (list.length > 1) {
        if (!opts.choose) {
          throw new UserError(
            `Found ${list.length} ${kind} candidates: ${list.map((p) => path.relative(opts.cwd, p)).join(', ')}`,
            `Name the one to use with ${FLAG_FOR[kind]} PATH, or write a ${PROFILE_NAME} (see the README).`,
          );
        }
        chosen[kind] = { path: await opts.choose(kind, list), origin: { kind: 'default' } };
      }
    }
  }

  const stack: Stack = { root, profile, redactor: new Redactor(), notes: [] };
  const restartOf = (kind: FileKind) => profile?.components[kind]?.restart;
  if (chosen.backend) {
    const file = await readTextFile(chosen.backend.path, root);
    const env = EnvFile.parse(file.text, display(opts.cwd, file.path));
    stack.redactor.addValues(env.values());
    for (const key of Object.keys(env.values())) {
      const shadowed = env.shadowed(key);
      if (shadowed.length > 0) {
        stack.notes.push(`${display(opts.cwd, file.path)}: ${key} is set ${shadowed.length + 1} times; the last (line ${env.lineOf(key)}) counts`);
      }
    }
    stack.backend = { file, env, origin: chosen.backend.origin, restart: restartOf('backend'), settings: backendSettings(env, file.path) };
  }
  if (chosen.collector) {
    const file = await readTextFile(chosen.collector.path, root);
    const yaml = YamlFile.parse(file.text, display(opts.cwd, file.path));
    stack.collector = { file, yaml, origin: chosen.collector.origin, restart: restartOf('collector'), settings: collectorSettings(yaml, file.path) };
  }
  if (chosen.tempo) {
    const file = await readTextFile(chosen.tempo.path, root);
    const yaml = YamlFile.parse(file.text, display(opts.cwd, file.path));
    const p = profile?.components.tempo;
    const api = p?.api ? { url: p.api, file: profile!.path, line: p.apiLine ?? p.line } : undefined;
    stack.tempo = { file, yaml, origin: chosen.tempo.origin, restart: restartOf('tempo'), settings: tempoSettings(yaml, file.path, api) };
  }
  if (!stack.backend && !stack.collector && !stack.tempo) {
    throw new UserError(
      `No stack found in ${opts.cwd}: no ${PROFILE_NAME}, no .env with OTEL_ settings, no collector or Tempo YAML (searched 3 folders deep)`,
      `Run it in your project's folder, pass --profile / --env / --collector-config / --tempo-config, or try: trace-wizard demo`,
    );
  }
  return stack;
}

/** A path as shown to the user: relative to where they ran the command when inside it. */
export function display(cwd: string, p: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
