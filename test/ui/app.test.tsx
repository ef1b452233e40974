import { render } from 'ink-testing-library';
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDemo, stopDemo } from '../../src/sandbox/demo.js';
import { App } from '../../src/ui/App.js';
import { KEY, tick, waitForFrame } from '../helpers/ink.js';
import { cleanup } from '../helpers/tmp.js';
import { usePrivateTmux } from '../helpers/tmux.js';

usePrivateTmux('app');

describe('the wizard app against the sandbox', () => {
  it('goes from the seed state to proven traces with the keyboard alone', async () => {
    const { state } = await startDemo({ seedPorts: false, useTmux: true, readyDelayMs: 300 });
    cleanup(() => stopDemo(state.dir));
    let code: number | undefined;
    const ui = render(<App stackOptions={{ cwd: state.dir }} root={realpathSync(state.dir)} onExit={(c) => (code = c)} />);
    cleanup(() => ui.unmount());
    const frames = () => ui.frames;
    expect(await waitForFrame(frames, (f) => f.includes('Enter choose a repair'))).toContain('Recommended: direct');
    await tick();
    ui.stdin.write(KEY.enter);
    await waitForFrame(frames, (f) => f.includes('Choose a repair'));
    await tick();
    ui.stdin.write(KEY.down);
    await tick();
    ui.stdin.write(KEY.down);
    await waitForFrame(frames, (f) => f.includes('❯ collector-tls'));
    // The frame is drawn before Ink swaps in the input handler that knows the new selection.
    await tick();
    ui.stdin.write(KEY.enter);
    await waitForFrame(frames, (f) => f.includes('Review: collector-tls'));
    await tick();
    ui.stdin.write(KEY.enter);
    await waitForFrame(frames, (f) => f.includes('Applying'));
    const done = await waitForFrame(frames, (f) => f.includes('Traces reach Tempo') || f.includes('did not prove itself'), 60_000);
    expect(done).toContain('✓ collector-tls applied, restarted and proven');
    expect(done).toMatch(/Canary trace [0-9a-f]{32}/);
    await tick();
    ui.stdin.write(KEY.enter);
    await tick();
    expect(code).toBe(0);
  }, 120_000);
});
