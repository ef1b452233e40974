/** HTTP/1 GETs with a deadline, over TLS or not; used for Tempo's API, metrics, and to tell HTTP/1 ports apart. */
import { startDeadline } from './deadline.js';

export interface HttpResult {
  ok: boolean;
  status?: number;
  body: string;
  error?: string;
  ms: number;
}

export async function httpGet(url: string, options: { timeoutMs: number; ca?: Buffer; verify?: boolean; maxBytes?: number }): Promise<HttpResult> {
  // Loaded on first use (~20 ms): diagnosis has its port probes running by then.
  const lib = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  const started = Date.now();
  const max = options.maxBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve) => {
    const req = lib.get(url, { ca: options.ca, rejectUnauthorized: options.verify ?? false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= max) chunks.push(c);
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
      res.on('error', (e) => finish({ ok: false, body: '', error: e.message, ms: Date.now() - started }));
    });
    const stop = startDeadline(options.timeoutMs, () => {
      req.destroy();
      finish({ ok: false, body: '', error: `no answer within ${options.timeoutMs} ms`, ms: Date.now() - started });
    });
    let done = false;
    function finish(r: HttpResult): void {
      if (done) return;
      done = true;
      stop();
      resolve(r);
    }
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, body: '', error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message, ms: Date.now() - started }));
  });
}
