/**
 * argv → command. One error handler and one exit code for every command:
 * 0 success, 1 the check or repair failed, 2 bad input or usage, 3 cancelled.
 */
import { packageVersion } from './package-root.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS, PROFILE_FLAGS, type CommandSpec, type FlagSpec } from './cli/commands.js';
import { Output, type Streams } from './cli/output.js';
import { ExitCode, WizardError } from './errors.js';

const BIN = 'trace-wizard';

export function version(): string {
  return packageVersion();
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `${BIN} — finds why traces do not reach Grafana Tempo, repairs the pipeline, and proves it`,
    '',
    `Usage: ${BIN} [profile flags]      the interactive wizard (needs a terminal)`,
    `       ${BIN} <command> [flags]`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Flags:',
    '  -h, --help     show help (for a command: trace-wizard <command> --help)',
    '  -v, --version  print the version',
    '',
    'Exit codes: 0 success, 1 check or repair failed, 2 bad input or usage, 3 cancelled.',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const head = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.arg ? ` ${f.arg}` : ''}`;
    return [head, f.help] as const;
  });
  flags.push(['-h, --help', 'show this help']);
  const width = Math.max(...flags.map(([h]) => h.length));
  return [
    `${spec.summary}.`,
    '',
    `Usage: ${spec.usage}`,
    ...(spec.description ? ['', spec.description] : []),
    '',
    'Flags:',
    ...flags.map(([h, text]) => `  ${h.padEnd(width)}  ${text}`),
    '',
    'Exit codes: 0 success, 1 check or repair failed, 2 bad input or usage, 3 cancelled.',
  ].join('\n');
}

function usageError(output: Output, message: string, helpCommand: string): number {
  output.err(`${BIN}: ${message}`);
  output.err(`Run '${helpCommand} --help' for usage.`);
  return ExitCode.usage;
}

function parseConfig(flags: Record<string, FlagSpec>): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, f] of Object.entries(flags)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  }
  return options;
}

export async function main(argv: string[], streams: Streams = process, cwd = process.cwd()): Promise<number> {
  const output = new Output(streams);
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help' || first === 'help') {
    output.out(mainHelp());
    return ExitCode.ok;
  }
  // No command: the interactive wizard (profile flags allowed).
  if (first === undefined || Object.keys(PROFILE_FLAGS).some((f) => first === `--${f}` || first.startsWith(`--${f}=`))) {
    let values: Record<string, unknown>;
    try {
      values = parseArgs({ args: argv, options: parseConfig(PROFILE_FLAGS), allowPositionals: false, strict: true }).values;
    } catch (e) {
      return usageError(output, (e as Error).message.replace(/^Unknown option '(.*?)'.*$/s, 'unknown flag $1'), BIN);
    }
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    try {
      const { runInteractive } = await import('./commands/wizard.js');
      return await runInteractive(output, { cwd, profile: str('profile'), env: str('env'), collectorConfig: str('collector-config'), tempoConfig: str('tempo-config') });
    } catch (e) {
      return reportError(output, e);
    }
  }
  if (first === '-v' || first === '--version') {
    output.out(version());
    return ExitCode.ok;
  }
  if (first.startsWith('-')) return usageError(output, `unknown flag ${first}`, BIN);
  const spec = COMMANDS.find((c) => c.name === first);
  if (!spec) return usageError(output, `unknown command '${first}'`, BIN);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: parseConfig(spec.flags), allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option '(.*?)'.*$/s, 'unknown flag $1');
    return usageError(output, `${spec.name}: ${msg}`, `${BIN} ${spec.name}`);
  }
  if (parsed.values.help) {
    output.out(commandHelp(spec));
    return ExitCode.ok;
  }
  if (parsed.positionals.length > spec.maxPositionals) {
    return usageError(output, `${spec.name}: unexpected argument '${parsed.positionals[spec.maxPositionals]}'`, `${BIN} ${spec.name}`);
  }
  try {
    return await spec.run({ values: parsed.values, positionals: parsed.positionals, output, cwd });
  } catch (e) {
    return reportError(output, e);
  }
}

/** The single error handler: user-fixable errors with their next step; anything else is a bug. */
export function reportError(output: Output, e: unknown): number {
  if (e instanceof WizardError) {
    output.err(`${output.paint('red', '✗')} ${e.message}`);
    if (e.hint) output.err(`  ${e.hint}`);
    return e.exitCode;
  }
  const err = e as Error;
  output.err(`${output.paint('red', '✗')} internal error: ${err?.message ?? String(e)}`);
  if (process.env.TRACE_WIZARD_DEBUG) output.err(err?.stack ?? '');
  output.err('  This is a bug in trace-wizard. Run again with TRACE_WIZARD_DEBUG=1 for details.');
  return ExitCode.failed;
}
