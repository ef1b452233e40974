import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpGet } from '../../src/probe/http.js';
import { BIN, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/sandbox.js';
import { cleanup, tempDir } from '../helpers/tmp.js';
import { usePrivateTmux } from '../helpers/tmux.js';

// The user's terminal: a tmux pane on a private server, 100×40.
usePrivateTmux('term');

async function terminal(name: string, command: string, width = 100): Promise<{ keys: (...k: string[]) => Promise<void>; screen: () => Promise<string>; waitFor: (text: string, ms?: number) => Promise<string> }> {
  await execa('tmux', ['new-session', '-d', '-s', name, '-x', String(width), '-y', '40', '-e', 'TRACE_WIZARD_DEMO_FREE_PORTS=1']);
  cleanup(() => execa('tmux', ['kill-session', '-t', `=${name}`], { reject: false }));
  // A person's terminal: no CI variable at all (CI runs these tests with CI=true).
  await execa('tmux', ['send-keys', '-t', `=${name}:`, '-l', `env -u CI ${command}`]);
  await execa('tmux', ['send-keys', '-t', `=${name}:`, 'Enter']);
  const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', `=${name}:`])).stdout;
  return {
    screen,
    keys: async (...k: string[]) => {
      for (const key of k) {
        // A screen can be drawn before its input handler is attached: never type into a fresh frame.
        await new Promise((r) => setTimeout(r, 100));
        await execa('tmux', ['send-keys', '-t', `=${name}:`, key]);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    waitFor: async (text: string, ms = 30_000) => {
      const found = await eventually(async () => ((await screen()).includes(text) ? true : undefined), ms);
      const now = await screen();
      if (!found) throw new Error(`"${text}" never appeared; the screen:\n${now}`);
      return now;
    },
  };
}

function demoDir(): string {
  const dir = path.join(tempDir('tw-term-'), 'stack');
  cleanup(() => (existsSync(dir) ? runCli(['demo', '--down', '--dir', dir], { cwd: os.tmpdir() }) : undefined));
  return dir;
}

describe('trace-wizard demo in a real terminal', () => {
  it('chooses a repair, confirms, reaches the success screen, and the backend’s spans reach Tempo', async () => {
    const dir = demoDir();
    const t = await terminal('wiz-ok', `node ${BIN} demo --dir ${dir}`);
    const first = await t.waitFor('Enter choose a repair');
    // The start-up line was drawn over by the first frame: one header, nothing left of the line.
    expect(first.match(/trace-wizard · /g)).toHaveLength(1);
    expect(first).not.toContain('trace-wizard · …');
    await t.keys('Enter');
    await t.waitFor('Choose a repair');
    await t.keys('Down', 'Down');
    await t.waitFor('❯ collector-tls');
    await t.keys('Enter');
    await t.waitFor('Review: collector-tls');
    await t.keys('Enter');
    const done = await t.waitFor('Traces reach Tempo', 60_000);
    expect(done).toContain('✓ collector-tls applied, restarted and proven');
    const port = Number(/localhost:(\d+)\/api\/traces/.exec(done)![1]);
    const since = Date.now();
    const arrived = await eventually(async () => {
      const r = await httpGet(`https://localhost:${port}/api/search?tags=${encodeURIComponent('service.name=ag-backend')}&limit=50`, { timeoutMs: 2000 });
      const traces = r.ok ? (JSON.parse(r.body).traces as Array<{ startTimeUnixNano: string }>) : [];
      return traces.some((x) => BigInt(x.startTimeUnixNano) > BigInt(since) * 1_000_000n) ? true : undefined;
    }, 15_000);
    expect(arrived).toBe(true);
    await t.keys('Enter');
  }, 150_000);

  it('direct on the Rust-like backend: the failure screen, then rolling back restores the files', async () => {
    const dir = demoDir();
    const t = await terminal('wiz-rust', `node ${BIN} demo --dir ${dir} --backend rust-like`);
    await t.waitFor('Enter choose a repair');
    const env = readFileSync(path.join(dir, 'backend', '.env'));
    await t.keys('Enter');
    await t.waitFor('❯ collector-tls  (recommended)').catch(async (e: Error) => {
      // Say why the diagnosis changed its mind: what it sees now.
      throw new Error(`${e.message}\n\ntrace-wizard diagnose now:\n${(await runCli(['diagnose'], { cwd: dir })).stdout}`);
    });
    await t.keys('Up', 'Up');
    await t.waitFor("Not recommended: Rust's opentelemetry-otlp ignores");
    await t.keys('Enter');
    await t.waitFor('Press y to apply it anyway');
    await t.keys('y', 'Enter');
    const failed = await t.waitFor('did not prove itself', 90_000);
    expect(failed).toContain('Failing hop: backend→tempo');
    expect(readFileSync(path.join(dir, 'backend', '.env'))).not.toEqual(env);
    await t.keys('Enter');
    await t.waitFor('Rolled back: the originals are in place and restarted', 60_000);
    expect(readFileSync(path.join(dir, 'backend', '.env'))).toEqual(env);
    expect(existsSync(path.join(dir, 'backend', 'tempo-ca.pem'))).toBe(false);
    await t.keys('Enter');
  }, 180_000);

  it('reads at 60 columns, and offers to roll back a session an earlier run left in progress', async () => {
    const dir = demoDir();
    const setup = await runCli(['demo', '--dir', dir], { cwd: os.tmpdir(), env: { TRACE_WIZARD_DEMO_FREE_PORTS: '1' }, timeoutMs: 60_000 });
    expect(setup.exitCode, setup.stderr).toBe(0);
    // A repair applied without restarts, its manifest then marked as interrupted by a dead process.
    expect((await runCli(['fix', '--option', 'collector-tls', '--yes', '--no-restart'], { cwd: dir })).exitCode).toBe(0);
    const backups = path.join(dir, '.trace-wizard', 'backups');
    const { readdirSync, writeFileSync } = await import('node:fs');
    const manifest = path.join(backups, readdirSync(backups)[0], 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), state: 'in-progress', pid: 999999 }));
    const config = readFileSync(path.join(dir, 'otel-collector-config.yaml'), 'utf8');
    expect(config).toContain('ca_file');

    const t = await terminal("wiz-narrow", `node ${BIN} --profile ${dir}/trace-wizard.yaml`, 60);
    const offer = await t.waitFor('Roll it back: restore the originals and restart');
    expect(offer).toContain('An earlier repair was interrupted');
    await t.keys('Enter');
    await t.waitFor('Enter choose a repair', 60_000);
    expect(readFileSync(path.join(dir, 'otel-collector-config.yaml'), 'utf8')).not.toContain('ca_file');
    await t.keys('Enter');
    const choose = await t.waitFor('Choose a repair');
    for (const line of choose.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(choose).toContain('(recommended)');
    expect(choose).toContain('Security:');
    await t.keys('q');
  }, 150_000);
});
