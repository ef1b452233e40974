/**
 * The command table: name, one-line summary, flags with their help. `run` imports the
 * command's module only when it is chosen, so `--help` and `--version` stay instant and
 * headless commands never load the interactive UI.
 */
import type { Output } from './output.js';

export interface FlagSpec {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
  /** Name of the value in help, e.g. PATH. */
  arg?: string;
  help: string;
}

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  output: Output;
  cwd: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  flags: Record<string, FlagSpec>;
  /** Most positional arguments accepted. */
  maxPositionals: number;
  run(ctx: CommandContext): Promise<number>;
}

export const PROFILE_FLAGS: Record<string, FlagSpec> = {
  profile: { type: 'string', arg: 'PATH', help: 'stack profile to use (default: ./trace-wizard.yaml, else discovery)' },
  env: { type: 'string', arg: 'PATH', help: "the backend's .env file" },
  'collector-config': { type: 'string', arg: 'PATH', help: "the OpenTelemetry Collector's YAML config" },
  'tempo-config': { type: 'string', arg: 'PATH', help: "Tempo's YAML config" },
};

export const COMMANDS: CommandSpec[] = [
  {
    name: 'demo',
    summary: 'Start a local replica of a broken stack (Tempo, collector, instrumented backend) to try trace-wizard on',
    usage: 'trace-wizard demo [--dir DIR] [--backend node|rust-like] [--no-tmux] | demo --down [--dir DIR] [--keep]',
    description:
      "Lays out the seed's broken stack in DIR (default: a new temporary folder) with free ports, starts each\n" +
      'component in its own tmux window (or as background processes without tmux), and waits until they run.\n' +
      'Everything listens on 127.0.0.1 only. --down stops exactly what the demo started and removes DIR.',
    flags: {
      dir: { type: 'string', arg: 'DIR', help: 'folder for the demo stack (new or empty; with --down: the demo to stop, default .)' },
      backend: { type: 'string', arg: 'KIND', help: 'node (OpenTelemetry Node SDK, default) or rust-like (ignores OTEL_EXPORTER_OTLP_CERTIFICATE)' },
      'no-tmux': { type: 'boolean', help: 'run the components as background processes even when tmux is there' },
      down: { type: 'boolean', help: 'stop the demo stack in --dir and remove the folder' },
      keep: { type: 'boolean', help: 'with --down: keep the folder' },
    },
    maxPositionals: 0,
    run: async (ctx) => (await import('../commands/demo.js')).runDemo(ctx),
  },
  {
    name: 'diagnose',
    summary: 'Find out why traces do not reach Tempo: probe every hop, read the configs and logs, recommend a repair',
    usage: 'trace-wizard diagnose [--json] [--timeout S] [--logs FILE]… [profile flags]',
    description:
      'Probes every port the stack sends to or listens on, all at once (TCP, TLS and its certificate, an empty\n' +
      "OTLP Export, HTTP/1), reads Tempo's /ready, build info and metrics and the collector's metrics, checks the\n" +
      'configs, and matches the logs (--logs files and the tmux panes of components) against known errors.\n' +
      'Exit 0 when the pipeline works end to end, 1 when problems were found, 2 on bad input.',
    flags: {
      json: { type: 'boolean', help: 'print one JSON object (schema: docs/diagnose.schema.json) and nothing else' },
      timeout: { type: 'string', arg: 'S', help: 'deadline of each probe in seconds (default 1.5)' },
      logs: { type: 'string', arg: 'FILE', multiple: true, help: 'a log file to match against known errors (repeatable)' },
      ...PROFILE_FLAGS,
    },
    maxPositionals: 0,
    run: async (ctx) => (await import('../commands/diagnose.js')).runDiagnose(ctx),
  },
  {
    name: 'fix',
    summary: 'Apply one of the three repairs, restart what must restart, and prove that traces arrive (or roll back)',
    usage: 'trace-wizard fix --option direct|tempo-plaintext|collector-tls [--yes] [--dry-run] [--json] [flags] [profile flags]',
    description:
      'direct: the backend sends straight to Tempo over TLS, trusting Tempo\'s certificate (captured into a PEM file).\n' +
      'tempo-plaintext: Tempo\'s OTLP receiver drops TLS; the collector sends to it with tls.insecure.\n' +
      'collector-tls: the collector sends to Tempo over TLS, trusting Tempo\'s certificate via tls.ca_file.\n' +
      'Shows the diffs (secrets masked), asks (or takes --yes), backs up and applies, restarts, proves; when the\n' +
      'proof fails it rolls the files back, restarts again, and checks the original state answers as before.',
    flags: {
      option: { type: 'string', arg: 'REPAIR', help: 'direct, tempo-plaintext or collector-tls (diagnose recommends one)' },
      yes: { type: 'boolean', short: 'y', help: 'apply without asking' },
      'dry-run': { type: 'boolean', help: 'show the plan and the diffs; write nothing' },
      json: { type: 'boolean', help: 'print one JSON object (schema: docs/fix.schema.json) and nothing else' },
      'no-restart': { type: 'boolean', help: 'apply the files only; restart and verify yourself' },
      'skip-verify': { type: 'boolean', help: 'collector-tls: accept any certificate (tls.insecure_skip_verify) instead of trusting Tempo\'s' },
      'localhost-only': { type: 'boolean', help: 'tempo-plaintext: bind Tempo\'s plaintext receiver to 127.0.0.1' },
      timeout: { type: 'string', arg: 'S', help: 'deadline of the proof in seconds (default 60)' },
      'keep-on-failure': { type: 'boolean', help: 'keep the changes when the proof fails (default: roll back)' },
      force: { type: 'boolean', help: 'apply a repair that will likely fail (e.g. direct for a Rust backend)' },
      ...PROFILE_FLAGS,
    },
    maxPositionals: 0,
    run: async (ctx) => (await import('../commands/fix.js')).runFix(ctx),
  },
  {
    name: 'verify',
    summary: 'Prove that traces reach Tempo: a canary trace found again, counters moving, the backend\'s own spans',
    usage: 'trace-wizard verify [--json] [--timeout S] [profile flags]',
    description:
      'Sends a canary span over the hop the backend uses, with the trust the backend has, and finds it again through\n' +
      "Tempo's API; checks Tempo's counters, the collector's exporter counters, and that the backend's own spans arrive.",
    flags: {
      json: { type: 'boolean', help: 'print one JSON object (schema: docs/verify.schema.json) and nothing else' },
      timeout: { type: 'string', arg: 'S', help: 'deadline of the proof in seconds (default 60)' },
      ...PROFILE_FLAGS,
    },
    maxPositionals: 0,
    run: async (ctx) => (await import('../commands/verify.js')).runVerify(ctx),
  },
  {
    name: 'stack',
    summary: 'Show the stack: its files, derived endpoints, restarts, and where each value comes from',
    usage: 'trace-wizard stack [--json] [profile flags]',
    description: 'Resolves the stack from the profile, the flags, or by searching this folder (3 levels deep), and prints it. Secrets are masked.',
    flags: { json: { type: 'boolean', help: 'print one JSON object and nothing else' }, ...PROFILE_FLAGS },
    maxPositionals: 0,
    run: async (ctx) => (await import('../commands/stack.js')).runStack(ctx),
  },
  {
    name: 'rollback',
    summary: 'Put back the files a repair changed, byte for byte, from a backup session',
    usage: 'trace-wizard rollback [--list] [--last | ID] [--yes] [--force] [--json] [profile flags]',
    description:
      'Every repair backs up the files it touches under .trace-wizard/backups/ in the stack folder.\n' +
      'Rollback restores them, removes the files the repair created, and restarts the components the repair\n' +
      'restarted. A file that changed after the repair wrote it is not overwritten unless --force is given.',
    flags: {
      list: { type: 'boolean', help: 'list the backup sessions, newest last' },
      last: { type: 'boolean', help: 'roll back the newest session that is applied or was interrupted' },
      yes: { type: 'boolean', short: 'y', help: 'do not ask for confirmation' },
      force: { type: 'boolean', help: 'overwrite files that changed after the repair' },
      'no-restart': { type: 'boolean', help: 'do not restart the components the repair restarted' },
      json: { type: 'boolean', help: 'print one JSON object and nothing else' },
      ...PROFILE_FLAGS,
    },
    maxPositionals: 1,
    run: async (ctx) => (await import('../commands/rollback.js')).runRollback(ctx),
  },
];
