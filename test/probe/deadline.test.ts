import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpGet } from '../../src/probe/http.js';
import { probeOtlpGrpc } from '../../src/probe/otlp-grpc.js';
import { tcpConnect } from '../../src/probe/tcp.js';
import { probeTls } from '../../src/probe/tls.js';
import { startTempo } from '../helpers/sandbox.js';
import { cleanup } from '../helpers/tmp.js';

/** What a busy process does to its probes: nothing runs, not even their timers, for `ms`. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy */
  }
}

// Generous enough for a loaded CI machine to finish a TLS + HTTP/2 exchange in; the stall is longer still.
const DEADLINE = 1000;

describe('probe deadlines', () => {
  it('a stalled event loop does not turn live ports into timeouts (TCP, TLS, OTLP/gRPC, HTTPS)', async () => {
    const t = await startTempo();
    const probes = Promise.all([
      tcpConnect('127.0.0.1', t.ports.otlp, DEADLINE),
      probeTls('127.0.0.1', t.ports.otlp, { timeoutMs: DEADLINE }),
      probeOtlpGrpc('127.0.0.1', t.ports.otlp, { timeoutMs: DEADLINE, tls: true }),
      httpGet(`${t.api}/ready`, { timeoutMs: DEADLINE }),
    ]);
    // Longer than every deadline: a plain timer would fire before the answers are read.
    blockEventLoop(3 * DEADLINE);
    const [tcp, tls, otlp, ready] = await probes;
    expect(tcp).toEqual({ ok: true });
    expect(tls).toMatchObject({ tls: true });
    expect(otlp).toMatchObject({ ok: true, status: 'OK' });
    expect(ready).toMatchObject({ ok: true, status: 200 });
  });

  it('a port that accepts and never answers still times out, for the TLS, gRPC and HTTP probes', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const [tls, otlp, http] = await Promise.all([
      probeTls('127.0.0.1', port, { timeoutMs: DEADLINE }),
      probeOtlpGrpc('127.0.0.1', port, { timeoutMs: DEADLINE, tls: false }),
      httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: DEADLINE }),
    ]);
    expect(tls).toMatchObject({ tls: false, reason: 'timeout', error: `no answer within ${DEADLINE} ms` });
    expect(otlp).toMatchObject({ ok: false, status: 'DEADLINE_EXCEEDED' });
    expect(http).toMatchObject({ ok: false, error: `no answer within ${DEADLINE} ms` });
  });
});
