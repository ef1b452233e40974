/**
 * When is a restarted component really back? Its ports accept connections (and complete a
 * TLS handshake where TLS is configured); Tempo's /ready answers 200; the collector's
 * metrics answer; the backend process stays alive and, with a port, listens.
 */
import { httpGet } from '../probe/http.js';
import { tcpConnect } from '../probe/tcp.js';
import { probeTls } from '../probe/tls.js';
import { dialHost, parseEndpoint } from '../stack/endpoint.js';
import type { ComponentName } from '../stack/profile.js';
import type { Stack } from '../stack/stack.js';

export interface ReadyCheck {
  label: string;
  /** true when satisfied; otherwise what is still missing. */
  run(): Promise<true | string>;
}

const local = (host: string) => (host === 'localhost' ? '127.0.0.1' : dialHost(host));

function portCheck(label: string, host: string, port: number, tls: boolean): ReadyCheck {
  return {
    label,
    run: async () => {
      if (!tls) {
        const r = await tcpConnect(host, port, 1000);
        return r.ok ? true : `${host}:${port} ${r.error}`;
      }
      const r = await probeTls(host, port, { timeoutMs: 1000 });
      return r.tls ? true : `${host}:${port} ${r.error}`;
    },
  };
}

export function readinessChecks(stack: Stack, component: ComponentName): ReadyCheck[] {
  const checks: ReadyCheck[] = [];
  if (component === 'tempo' && stack.tempo) {
    const t = stack.tempo.settings;
    const api = t.api.value;
    const u = new URL(api);
    checks.push(portCheck("Tempo's API port", u.hostname, Number(u.port || (u.protocol === 'https:' ? 443 : 80)), u.protocol === 'https:'));
    checks.push({
      label: "Tempo's /ready",
      run: async () => {
        const r = await httpGet(`${api}/ready`, { timeoutMs: 1000 });
        return r.ok && r.status === 200 ? true : r.ok ? `/ready answers ${r.status} ${r.body.trim()}` : `/ready: ${r.error}`;
      },
    });
    for (const r of t.receivers) checks.push(portCheck(`Tempo's OTLP ${r.protocol} receiver`, local(r.endpoint.value.host), r.endpoint.value.port, r.tls));
  }
  if (component === 'collector' && stack.collector) {
    const c = stack.collector.settings;
    for (const r of c.receivers) checks.push(portCheck(`the collector's OTLP ${r.protocol} receiver`, local(r.endpoint.value.host), r.endpoint.value.port, r.tls));
    const m = parseEndpoint(c.metricsAddress.value);
    if (m) {
      checks.push({
        label: "the collector's metrics",
        run: async () => {
          const r = await httpGet(`http://${local(m.host)}:${m.port}/metrics`, { timeoutMs: 1000 });
          return r.ok && r.status === 200 ? true : `metrics: ${r.error ?? r.status}`;
        },
      });
    }
  }
  if (component === 'backend' && stack.backend?.settings.port) {
    const port = stack.backend.settings.port.value;
    const host = stack.backend.env.get('BACKEND_HOST') ?? '127.0.0.1';
    checks.push(portCheck(`the backend's port ${port}`, local(host), port, false));
  }
  return checks;
}
