import { Ajv } from 'ajv';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { capturePane, killSession, newSession, typeCommand } from '../../src/restart/tmux.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/sandbox.js';
import { TLS_CA, at, startStack } from '../helpers/stack.js';
import { SEED, cleanup } from '../helpers/tmp.js';
import { usePrivateTmux } from '../helpers/tmux.js';

usePrivateTmux('diagnose');

const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'docs', 'diagnose.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

interface Finding {
  id: string;
  severity: string;
  where: string;
  evidence: Array<{ kind: string; file?: string; line?: number; text?: string; result?: string; source?: string }>;
  fixedBy: string[];
}

async function diagnoseJson(cwd: string, extra: string[] = []) {
  const r = await runCli(['diagnose', '--json', ...extra], { cwd });
  expect(r.stdout.trim().startsWith('{'), r.stderr).toBe(true);
  const j = JSON.parse(r.stdout);
  expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
  const ids = (j.findings as Finding[]).map((f) => f.id);
  const errors = (j.findings as Finding[]).filter((f) => f.severity === 'error').map((f) => f.id);
  return { r, j, ids, errors, find: (id: string) => (j.findings as Finding[]).find((f) => f.id === id) };
}

describe('trace-wizard diagnose on the sandbox', () => {
  it('the seed scenario: the wrong port with UNIMPLEMENTED evidence, TLS and a self-signed certificate on the receiver, a recommendation', async () => {
    const s = await startStack();
    const { r, j, find } = await diagnoseJson(s.layout.dir);
    expect(r.exitCode).toBe(1);
    const wrongPort = find('tempo-internal-grpc-port')!;
    expect(wrongPort.severity).toBe('error');
    expect(wrongPort.where).toBe('collector→tempo');
    expect(wrongPort.evidence).toContainEqual({ kind: 'file', file: 'otel-collector-config.yaml', line: 10, text: `    endpoint: localhost:${s.ports.tempoGrpc}` });
    expect(wrongPort.evidence.some((e) => e.kind === 'probe' && e.result!.includes('12 UNIMPLEMENTED: unknown service opentelemetry.proto.collector.trace.v1.TraceService'))).toBe(true);
    const receiver = find('tempo-receiver-tls')!;
    expect(receiver.severity).toBe('warning');
    expect(receiver.evidence.some((e) => e.kind === 'probe' && /\(self-signed\)/.test(e.result!))).toBe(true);
    expect(j.recommendation).toMatchObject({ repair: 'direct', runnerUp: 'collector-tls' });
    expect(j.topology.map((h: { id: string; status: string }) => [h.id, h.status])).toEqual([
      ['backend→collector', 'ok'],
      ['collector→tempo', 'failing'],
    ]);
    expect(j.tempo).toEqual({ api: `https://localhost:${s.ports.tempoHttp}`, version: '2.7.2' });
  });

  it('prints a doctor-style report when piped, with the evidence under each hop, and never the secret', async () => {
    const s = await startStack();
    const r = await runCli(['diagnose'], { cwd: s.layout.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^✓ backend → collector {2}localhost:\d+, grpc, plaintext$/m);
    expect(r.stdout).toMatch(/^✗ collector \(exporter otlp\/tempo\) → tempo \(internal gRPC\)/m);
    expect(r.stdout).toContain('↳ otel-collector-config.yaml:10  endpoint: localhost:');
    expect(r.stdout).toContain('Recommended repair: direct');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const json = await runCli(['diagnose', '--json'], { cwd: s.layout.dir });
    for (const out of [r.stdout, r.stderr, json.stdout, json.stderr]) expect(out).not.toContain(s.layout.secret);
  });

  describe('each failing collector setting of reference/otelcol-0.116 gets its finding', () => {
    const variants: Array<[string, (p: { tempoOtlp: number; tempoGrpc: number }) => Array<[string[], string | boolean | undefined]>, string[]]> = [
      ['wrongport-insecure', () => [], ['tempo-internal-grpc-port']],
      ['plaintext-to-tls', (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`]], ['plaintext-to-tls']],
      ['tls-default-untrusted', (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`], [at('tls', 'insecure'), undefined]], ['certificate-untrusted']],
      ['http-scheme', (p) => [[at('endpoint'), `http://localhost:${p.tempoOtlp}`], [at('tls', 'insecure'), undefined]], ['certificate-untrusted', 'http-scheme-keeps-tls']],
      ['ca-wrong-name', (p) => [[at('endpoint'), `127.0.0.2:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]], ['certificate-name-mismatch']],
    ];
    for (const [name, exporter, expected] of variants) {
      it(name, async () => {
        const s = await startStack({ exporter });
        const { r, ids, find } = await diagnoseJson(s.layout.dir);
        expect(r.exitCode).toBe(1);
        for (const id of expected) expect(ids).toContain(id);
        expect(find(expected[0])!.where).toBe('collector→tempo');
        expect(find(expected[0])!.evidence.some((e) => e.kind === 'file' && e.file === 'otel-collector-config.yaml')).toBe(true);
        if (name === 'ca-wrong-name') expect(JSON.stringify(find('certificate-name-mismatch'))).toContain('x509: certificate is valid for 127.0.0.1, not 127.0.0.2');
        expect(readFileSync(path.join(SEED, '..', 'otelcol-0.116', `log-${name}.txt`), 'utf8').length).toBeGreaterThan(0);
      });
    }
  });

  it('a healthy stack: no errors, every hop ok, exit 0', async () => {
    const s = await startStack({ exporter: (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]] });
    const { r, j, errors } = await diagnoseJson(s.layout.dir);
    expect(errors).toEqual([]);
    expect(j.ok).toBe(true);
    expect(j.recommendation).toBeNull();
    expect(j.topology.every((h: { status: string }) => h.status === 'ok')).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it('reports a port that accepts but never answers, within one probe deadline', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => (silent.close(() => r()), sockets.forEach((x) => x.destroy()))));
    const port = (silent.address() as net.AddressInfo).port;
    const s = await startStack({ exporter: () => [[at('endpoint'), `127.0.0.1:${port}`]] });
    const { find, j } = await diagnoseJson(s.layout.dir, ['--timeout', '0.5']);
    const f = find('no-answer')!;
    expect(f.where).toBe('collector→unknown');
    expect(f.evidence.some((e) => e.kind === 'probe' && e.result === 'no answer within 500 ms')).toBe(true);
    const probe = j.probes.find((p: { id: string }) => p.id === `port 127.0.0.1:${port}`);
    expect(probe.result).toBe('no answer within 500 ms');
  });

  it('names a receiver bound to an address the sender does not dial', async () => {
    const s = await startStack({
      tempo: (p) => [[['distributor', 'receivers', 'otlp', 'protocols', 'grpc', 'endpoint'], `127.0.0.1:${p.tempoOtlp}`]],
      exporter: (p) => [[at('endpoint'), `127.0.0.2:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]],
    });
    const { find, errors } = await diagnoseJson(s.layout.dir);
    const f = find('receiver-bound-elsewhere')!;
    expect(f.where).toBe('collector→unknown');
    expect(f.evidence).toContainEqual(expect.objectContaining({ kind: 'file', file: 'tempo.yaml', text: expect.stringContaining(`127.0.0.1:${s.ports.tempoOtlp}`) }));
    expect(errors).not.toContain('nothing-listening');
  });

  it('changes the recommendation for the Rust-like backend', async () => {
    const node = await diagnoseJson((await startStack()).layout.dir);
    const rust = await diagnoseJson((await startStack({ backend: 'rust-like' })).layout.dir);
    expect(node.j.recommendation.repair).toBe('direct');
    expect(rust.j.backendLanguage).toBe('rust');
    expect(rust.j.recommendation).toMatchObject({ repair: 'collector-tls', runnerUp: 'tempo-plaintext' });
    expect(JSON.stringify(rust.find('backend-language'))).toContain('does not read OTEL_EXPORTER_OTLP_CERTIFICATE');
  });

  it('names an expired certificate', async () => {
    const s = await startStack({
      cert: { notBefore: new Date(Date.now() - 60 * 86400_000), notAfter: new Date(Date.now() - 86400_000) },
      exporter: (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]],
    });
    const { errors } = await diagnoseJson(s.layout.dir);
    expect(errors).toContain('certificate-expired');
  });

  it('names a certificate expiring within 14 days as a warning', async () => {
    const s = await startStack({
      cert: { notAfter: new Date(Date.now() + 5 * 86400_000) },
      exporter: (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]],
    });
    const { find, r } = await diagnoseJson(s.layout.dir);
    expect(find('certificate-expiring')!.severity).toBe('warning');
    expect(r.exitCode).toBe(0);
  });

  it('names a dialled host that is not in the certificate’s SANs', async () => {
    const s = await startStack({
      cert: { sans: ['DNS:tempo.internal', 'IP:10.1.2.3'] },
      exporter: (p) => [[at('endpoint'), `localhost:${p.tempoOtlp}`], [at('tls', 'ca_file'), TLS_CA], [at('tls', 'insecure'), undefined]],
    });
    const { find } = await diagnoseJson(s.layout.dir);
    expect(JSON.stringify(find('certificate-name-mismatch'))).toContain('x509: certificate is valid for tempo.internal, not localhost');
  });

  it('explains OTEL_EXPORTER_OTLP_INSECURE with an https endpoint, and the Node SDK’s http/protobuf default on a gRPC port', async () => {
    const s = await startStack({
      env: (p) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `https://localhost:${p.tempoOtlp}`, OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: undefined }),
    });
    const { find, j } = await diagnoseJson(s.layout.dir);
    const insecure = find('insecure-env-has-no-effect')!;
    expect(insecure.severity).toBe('warning');
    expect(JSON.stringify(insecure)).toContain('never means');
    expect(insecure.evidence[0]).toMatchObject({ kind: 'file', file: 'backend/.env' });
    expect(find('http-to-grpc-port')!.where).toBe('backend→tempo');
    expect(find('certificate-untrusted')!.where).toBe('backend→tempo');
    expect(j.topology[0]).toMatchObject({ id: 'backend→tempo', protocol: 'http/protobuf', tls: true, status: 'failing' });
  });

  it('cites log lines from --logs files, and refuses a missing one', async () => {
    const s = await startStack();
    const log = path.join(s.layout.dir, 'collector.log');
    writeFileSync(log, `starting\n${readFileSync(path.join(SEED, '..', 'otelcol-0.116', 'log-wrongport-insecure.txt'), 'utf8')}`);
    const { find } = await diagnoseJson(s.layout.dir, ['--logs', 'collector.log']);
    expect(find('tempo-internal-grpc-port')!.evidence).toContainEqual(expect.objectContaining({ kind: 'log', source: 'collector.log', line: 2 }));
    const missing = await runCli(['diagnose', '--logs', 'nope.log'], { cwd: s.layout.dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--logs nope.log: no such file');
  });

  it('reports Tempo down and a collector not running', async () => {
    const s = await startStack({ startTempo: false, startCollector: false });
    const { errors, r } = await diagnoseJson(s.layout.dir);
    expect(errors).toEqual(expect.arrayContaining(['tempo-api-unreachable', 'nothing-listening']));
    expect(r.exitCode).toBe(1);
  });

  it('takes a refusal in a pane for history once the port accepts, and names a port where OTLP exports fail', async () => {
    const session = `tw-diag-${randomBytes(3).toString('hex')}`;
    const s = await startStack({ backend: 'rust-like', startCollector: false, tmuxSession: session, env: () => ({ OTEL_BSP_SCHEDULE_DELAY: '200' }) });
    await newSession(session, 'backend', s.layout.backendDir);
    cleanup(() => killSession(session));
    // The backend starts before anything listens on the collector's port: its pane logs the refusals.
    await typeCommand(`=${session}:backend`, s.layout.commands.backend);
    expect(await eventually(async () => ((await capturePane(`=${session}:backend`)).includes('ECONNREFUSED') ? true : undefined), 20_000)).toBe(true);
    // Then something takes the port that accepts connections and closes them at once.
    const servers = ['127.0.0.1', '::1'].map((host) => net.createServer((c) => c.destroy()).on('error', () => {}).listen(s.ports.collectorGrpc, host));
    cleanup(() => Promise.all(servers.map((x) => new Promise((r) => x.close(r)))));
    await eventually(() => (servers[0].listening ? true : undefined));
    const { find, errors } = await diagnoseJson(s.layout.dir);
    expect(find('otlp-export-fails')).toMatchObject({ severity: 'error', where: 'backend→collector' });
    expect(find('log-refused')).toMatchObject({ severity: 'info', where: 'backend→collector', title: expect.stringMatching(/^Earlier, a log reported/) });
    expect(errors).not.toContain('log-refused');
  });

  it('rejects a bad --timeout with exit 2', async () => {
    const s = await startStack({ startTempo: false, startCollector: false });
    const r = await runCli(['diagnose', '--timeout', 'soon'], { cwd: s.layout.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--timeout takes seconds');
  });
});
