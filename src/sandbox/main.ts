/**
 * The sandbox components as processes, started by the demo's scripts (bin/tempo,
 * bin/otelcol, the backend's launcher) so they run in tmux panes like the real ones:
 *   main.js tempo -config.file=tempo.yaml [-sandbox.ready-delay=3s] [-sandbox.version=2.7.2]
 *   main.js otelcol --config otel-collector-config.yaml
 *   main.js backend node|rust-like [--env .env]
 */
import { runBackend, type BackendFlavour } from './backend.js';
import { CollectorReplica } from './collector.js';
import { TempoReplica } from './tempo.js';

// grpc-js sets an IP address as TLS server name, which Node warns about on every dial.
process.noDeprecation = true;

function flagValue(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

function duration(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

async function main(argv: string[]): Promise<void> {
  const [what, ...args] = argv;
  let stop: () => Promise<void>;
  if (what === 'tempo') {
    const configPath = flagValue(args, ['-config.file', '--config.file']) ?? 'tempo.yaml';
    const t = await TempoReplica.start({
      configPath,
      readyDelayMs: duration(flagValue(args, ['-sandbox.ready-delay']) ?? process.env.TRACE_WIZARD_SANDBOX_READY_DELAY, 3000),
      version: flagValue(args, ['-sandbox.version']) ?? process.env.TRACE_WIZARD_SANDBOX_TEMPO_VERSION ?? '2.7.2',
    });
    stop = () => t.stop();
  } else if (what === 'otelcol') {
    const configPath = flagValue(args, ['--config', '-config']) ?? 'config.yaml';
    const c = await CollectorReplica.start({ configPath });
    stop = () => c.stop();
  } else if (what === 'backend') {
    await runBackend((args[0] ?? 'node') as BackendFlavour, flagValue(args, ['--env']) ?? '.env');
    return;
  } else {
    throw new Error(`usage: main.js tempo|otelcol|backend …`);
  }
  const onSignal = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
