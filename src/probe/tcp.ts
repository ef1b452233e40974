/** TCP connects with deadlines, and polling until a port accepts. */
import net from 'node:net';
import { startDeadline } from './deadline.js';

export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: { ok: true } | { ok: false; error: string }) => {
      socket.destroy();
      stop();
      resolve(r);
    };
    const stop = startDeadline(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message }));
  });
}

/** Polls every 50 ms until the port accepts or the deadline passes. */
export async function waitForTcp(host: string, port: number, deadline: number): Promise<boolean> {
  for (;;) {
    const r = await tcpConnect(host, port, Math.max(50, Math.min(1000, deadline - Date.now())));
    if (r.ok) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((res) => setTimeout(res, 50));
  }
}
