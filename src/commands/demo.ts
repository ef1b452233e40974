import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { BackendFlavour } from '../sandbox/backend.js';
import { readDemoState, startDemo, stopDemo, type DemoState } from '../sandbox/demo.js';
import type { Layout } from '../sandbox/layout.js';
import type { CommandContext } from '../cli/commands.js';
import { flag, stringFlag } from './common.js';

export async function runDemo(ctx: CommandContext): Promise<number> {
  const { output } = ctx;
  const dirFlag = stringFlag(ctx, 'dir');
  if (flag(ctx, 'down')) {
    const dir = dirFlag ? path.resolve(ctx.cwd, dirFlag) : ctx.cwd;
    if (!(await readDemoState(dir))) {
      throw new UserError(`${dir} is not a demo folder`, 'Pass the folder the demo printed: trace-wizard demo --down --dir DIR');
    }
    const { stopped } = await stopDemo(dir, { keep: flag(ctx, 'keep') });
    for (const s of stopped) output.out(`${output.paint('green', '✓')} stopped ${s}`);
    output.out(flag(ctx, 'keep') ? `Kept ${dir}.` : `Removed ${dir}.`);
    return ExitCode.ok;
  }
  const backend = (stringFlag(ctx, 'backend') ?? 'node') as BackendFlavour;
  if (backend !== 'node' && backend !== 'rust-like') throw new UserError(`--backend must be node or rust-like, not ${backend}`);
  const { state, layout } = await startDemo({
    dir: dirFlag ? path.resolve(ctx.cwd, dirFlag) : undefined,
    backend,
    useTmux: flag(ctx, 'no-tmux') ? false : undefined,
    onProgress: (m) => output.err(output.paint('dim', `… ${m}`)),
  });
  output.redactor.add(state.secret);
  output.out(describe(state, layout));
  // On a terminal, straight into the wizard on the demo stack; the stack keeps running after it.
  if (output.interactive) {
    const { runInteractive } = await import('./wizard.js');
    return runInteractive(output, { cwd: state.dir });
  }
  return ExitCode.ok;
}

function describe(state: DemoState, layout: Layout): string {
  const p = state.ports;
  const where = (name: string) => (state.tmux ? `tmux window ${state.tmux.session}:${name}` : `pid ${state.processes.find((x) => x.name === name)?.pid}`);
  const rows = [
    ['tempo', where('tempo'), `API https://localhost:${p.tempoHttp}, OTLP gRPC with TLS on ${p.tempoOtlp}, internal gRPC on ${p.tempoGrpc}`],
    ['collector', where('collector'), `OTLP gRPC on ${p.collectorGrpc}, exports to localhost:${p.tempoGrpc}, metrics on ${p.collectorMetrics}`],
    ['backend', where('backend'), `http://127.0.0.1:${p.backend} (${state.backend === 'rust-like' ? 'Rust-like' : 'Node'} SDK), service ag-backend`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return [
    `Demo stack running in ${state.dir}`,
    ...rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`),
    '',
    "Like the seed stack, its traces never reach Tempo: the collector exports to Tempo's internal",
    'gRPC port, and Tempo\'s OTLP receiver wants TLS with a self-signed certificate.',
    '',
    `Profile: ${layout.profile}`,
    'Next:',
    `  cd ${state.dir}`,
    '  trace-wizard stack',
    ...(state.tmux ? [`  tmux attach -t ${state.tmux.session}    # watch the components`] : [`  tail -f ${path.join(state.dir, '.trace-wizard', 'logs', '*.log')}`]),
    `  trace-wizard demo --down --dir ${state.dir}`,
  ].join('\n');
}
