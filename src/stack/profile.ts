/**
 * The stack profile, `trace-wizard.yaml`: which files make up the stack and how each
 * component restarts. Paths are relative to the profile's folder. Validation collects
 * every problem with its file:line and what was expected, so one run shows them all.
 */
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { UserError, where } from '../errors.js';

export type RestartSpec =
  | { kind: 'tmux'; target: string; command: string; cwd?: string; respawn?: boolean }
  | { kind: 'process'; pid?: number; pidfile?: string; port?: number; command: string; cwd?: string }
  | { kind: 'systemd'; unit: string }
  | { kind: 'compose'; service: string; file: string }
  | { kind: 'run'; command: string; cwd?: string };

export type ComponentName = 'backend' | 'collector' | 'tempo';

export interface ProfileComponent {
  /** The component's file (backend: .env; collector and tempo: YAML), absolute. */
  file: string;
  /** 1-based line in the profile naming the file. */
  line: number;
  restart?: RestartSpec & { readyTimeout?: number };
  /** tempo only: the API base URL when given, and its line in the profile. */
  api?: string;
  apiLine?: number;
}

export interface Profile {
  path: string;
  dir: string;
  components: Partial<Record<ComponentName, ProfileComponent>>;
}

export const PROFILE_NAME = 'trace-wizard.yaml';

const FILE_KEY: Record<ComponentName, string> = { backend: 'env', collector: 'config', tempo: 'config' };
const RESTART_KINDS = ['tmux', 'process', 'systemd', 'compose', 'run'] as const;

class Problems {
  readonly list: string[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}
  add(node: Node | Pair | null | undefined, message: string): void {
    const range = (node && 'range' in node ? node.range : (node as Pair | undefined)?.key && ((node as Pair).key as Node).range) as number[] | undefined;
    const pos = range ? this.lines.linePos(range[0]) : undefined;
    this.list.push(`${where(this.file, pos?.line, pos?.col)}: ${message}`);
  }
  line(node: Node | null | undefined): number {
    return node?.range ? this.lines.linePos(node.range[0]).line : 1;
  }
}

/** `file` names the profile in messages; `dir` is the folder its paths are relative to. */
export function parseProfile(text: string, file: string, dir = path.dirname(path.resolve(file))): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems = new Problems(file, lines);
  for (const err of doc.errors) {
    const pos = err.linePos?.[0];
    problems.list.push(`${where(file, pos?.line, pos?.col)}: ${err.message.split('\n')[0]}`);
  }
  const profile: Profile = { path: path.join(dir, path.basename(file)), dir, components: {} };
  if (problems.list.length === 0) {
    const root = doc.contents;
    if (!isMap(root)) problems.add(root as Node, 'expected a map with backend, collector and/or tempo');
    else {
      checkKeys(root, ['backend', 'collector', 'tempo'], problems);
      for (const name of ['backend', 'collector', 'tempo'] as const) {
        const node = root.get(name, true) as Node | undefined;
        if (node === undefined) continue;
        const c = parseComponent(name, node, problems, dir);
        if (c) profile.components[name] = c;
      }
      if (Object.keys(profile.components).length === 0 && problems.list.length === 0) {
        problems.add(root, 'no components: expected at least one of backend, collector, tempo');
      }
    }
  }
  if (problems.list.length > 0) {
    throw new UserError(
      `The stack profile has ${problems.list.length === 1 ? 'a problem' : `${problems.list.length} problems`}:\n  ${problems.list.join('\n  ')}`,
      'See the profile format in the README (section "The stack profile").',
    );
  }
  return profile;
}

function parseComponent(name: ComponentName, node: Node, problems: Problems, dir: string): ProfileComponent | undefined {
  if (!isMap(node)) {
    problems.add(node, `${name}: expected a map with ${FILE_KEY[name]}${name === 'tempo' ? ', api' : ''} and restart`);
    return undefined;
  }
  const allowed = [FILE_KEY[name], 'restart', ...(name === 'tempo' ? ['api'] : [])];
  checkKeys(node, allowed, problems, name);
  const fileNode = node.get(FILE_KEY[name], true) as Node | undefined;
  if (fileNode === undefined) {
    problems.add(node, `${name}: missing ${FILE_KEY[name]} (the path of its ${name === 'backend' ? '.env file' : 'YAML config'})`);
    return undefined;
  }
  const file = str(fileNode, problems, `${name}.${FILE_KEY[name]}`);
  if (file === undefined) return undefined;
  const component: ProfileComponent = { file: path.resolve(dir, file), line: problems.line(fileNode) };
  const api = node.get('api', true) as Node | undefined;
  if (api !== undefined) {
    const url = str(api, problems, 'tempo.api');
    if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) problems.add(api, `tempo.api: expected an http:// or https:// URL, got "${url}"`);
    else {
      component.api = url;
      component.apiLine = problems.line(api);
    }
  }
  const restart = node.get('restart', true) as Node | undefined;
  if (restart !== undefined) component.restart = parseRestart(name, restart, problems, dir);
  return component;
}

function parseRestart(name: ComponentName, node: Node, problems: Problems, dir: string): ProfileComponent['restart'] {
  const label = `${name}.restart`;
  if (!isMap(node)) {
    problems.add(node, `${label}: expected a map with one of ${RESTART_KINDS.join(', ')}`);
    return undefined;
  }
  const kinds = RESTART_KINDS.filter((k) => node.has(k));
  if (kinds.length !== 1) {
    problems.add(node, `${label}: expected exactly one of ${RESTART_KINDS.join(', ')}${kinds.length ? `, found ${kinds.join(' and ')}` : ''}`);
    return undefined;
  }
  const kind = kinds[0];
  const get = (k: string) => node.get(k, true) as Node | undefined;
  const cwdOf = (): string | undefined => {
    const c = get('cwd') === undefined ? undefined : str(get('cwd'), problems, `${label}.cwd`);
    return c === undefined ? undefined : path.resolve(dir, c);
  };
  const needCommand = (): string | undefined => {
    if (get('command') === undefined) {
      problems.add(node, `${label}: ${kind} needs a command (what starts ${name})`);
      return undefined;
    }
    return str(get('command'), problems, `${label}.command`);
  };
  const readyTimeout = get('ready_timeout') === undefined ? undefined : num(get('ready_timeout'), problems, `${label}.ready_timeout`);
  const common = readyTimeout === undefined ? {} : { readyTimeout };
  switch (kind) {
    case 'tmux': {
      checkKeys(node, ['tmux', 'command', 'cwd', 'respawn', 'ready_timeout'], problems, label);
      const target = str(get('tmux'), problems, `${label}.tmux`);
      const command = needCommand();
      const respawnNode = get('respawn');
      const respawn = respawnNode === undefined ? undefined : bool(respawnNode, problems, `${label}.respawn`);
      if (target === undefined || command === undefined) return undefined;
      return { kind, target, command, cwd: cwdOf(), ...(respawn ? { respawn } : {}), ...common };
    }
    case 'process': {
      checkKeys(node, ['process', 'command', 'cwd', 'ready_timeout'], problems, label);
      const p = get('process');
      if (!isMap(p)) {
        problems.add(p, `${label}.process: expected a map with one of pid, pidfile, port`);
        return undefined;
      }
      checkKeys(p, ['pid', 'pidfile', 'port'], problems, `${label}.process`);
      const ids = ['pid', 'pidfile', 'port'].filter((k) => p.has(k));
      if (ids.length !== 1) {
        problems.add(p, `${label}.process: expected exactly one of pid, pidfile, port`);
        return undefined;
      }
      const command = needCommand();
      if (command === undefined) return undefined;
      const idNode = p.get(ids[0], true) as Node;
      if (ids[0] === 'pidfile') {
        const f = str(idNode, problems, `${label}.process.pidfile`);
        return f === undefined ? undefined : { kind, pidfile: path.resolve(dir, f), command, cwd: cwdOf(), ...common };
      }
      const n = num(idNode, problems, `${label}.process.${ids[0]}`);
      if (n === undefined) return undefined;
      if (ids[0] === 'port' && (n < 1 || n > 65535)) {
        problems.add(idNode, `${label}.process.port: expected a port from 1 to 65535, got ${n}`);
        return undefined;
      }
      return { kind, [ids[0]]: n, command, cwd: cwdOf(), ...common };
    }
    case 'systemd': {
      checkKeys(node, ['systemd', 'ready_timeout'], problems, label);
      const unit = str(get('systemd'), problems, `${label}.systemd`);
      return unit === undefined ? undefined : { kind, unit, ...common };
    }
    case 'compose': {
      checkKeys(node, ['compose', 'ready_timeout'], problems, label);
      const c = get('compose');
      if (!isMap(c)) {
        problems.add(c, `${label}.compose: expected a map with service and file`);
        return undefined;
      }
      checkKeys(c, ['service', 'file'], problems, `${label}.compose`);
      const service = c.has('service') ? str(c.get('service', true) as Node, problems, `${label}.compose.service`) : undefined;
      const file = c.has('file') ? str(c.get('file', true) as Node, problems, `${label}.compose.file`) : undefined;
      if (service === undefined || file === undefined) {
        problems.add(c, `${label}.compose: needs both service and file`);
        return undefined;
      }
      return { kind, service, file: path.resolve(dir, file), ...common };
    }
    case 'run': {
      checkKeys(node, ['run', 'cwd', 'ready_timeout'], problems, label);
      const command = str(get('run'), problems, `${label}.run`);
      return command === undefined ? undefined : { kind, command, cwd: cwdOf(), ...common };
    }
  }
}

function checkKeys(map: YAMLMap, allowed: string[], problems: Problems, label?: string): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!allowed.includes(key)) {
      problems.add(pair.key as Node, `${label ? label + ': ' : ''}unknown key "${key}"; expected one of ${allowed.join(', ')}`);
    }
  }
}

function str(node: Node | undefined, problems: Problems, label: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value;
  if (isScalar(node) && typeof node.value === 'number') return String(node.value);
  problems.add(node, `${label}: expected a non-empty string`);
  return undefined;
}

function num(node: Node | undefined, problems: Problems, label: string): number | undefined {
  if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value > 0) return node.value;
  problems.add(node, `${label}: expected a positive whole number`);
  return undefined;
}

function bool(node: Node | undefined, problems: Problems, label: string): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  problems.add(node, `${label}: expected true or false`);
  return undefined;
}
