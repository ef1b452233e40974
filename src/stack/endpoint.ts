/** Endpoints as OpenTelemetry configs write them: `host:port`, `scheme://host:port/path`, `:port`, `[::]:port`. */
export interface Endpoint {
  scheme?: 'http' | 'https';
  host: string;
  port: number;
  /** How it was written, for evidence. */
  raw: string;
}

export function parseEndpoint(raw: string, defaultPort?: number): Endpoint | undefined {
  const text = raw.trim();
  const m = /^(?:(https?):\/\/)?(\[[^\]]*\]|[^:/\s]*)(?::(\d+))?(?:\/.*)?$/i.exec(text);
  if (!m) return undefined;
  const scheme = m[1]?.toLowerCase() as Endpoint['scheme'];
  const port = m[3] ? Number(m[3]) : scheme === 'https' ? (defaultPort ?? 443) : scheme === 'http' ? (defaultPort ?? 80) : defaultPort;
  if (port === undefined || port < 1 || port > 65535) return undefined;
  const host = m[2].replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { scheme, host, port, raw: text };
}

const ANY = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

export function isWildcard(host: string): boolean {
  return ANY.has(host);
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Where a client on this machine dials to reach a listener bound to `host`. */
export function dialHost(host: string): string {
  return isWildcard(host) ? '127.0.0.1' : host;
}

const LOCALHOST = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Could a client dialling `dialled` reach a listener bound to `bound`? (same machine) A
 * wildcard takes everything; `localhost` is 127.0.0.1 or ::1; any other address only itself
 * (a listener on 127.0.0.1 is not reached at 127.0.0.2).
 */
export function reaches(bound: string, dialled: string): boolean {
  if (isWildcard(bound)) return true;
  if (bound === dialled) return true;
  const local = (h: string) => LOCALHOST.has(h);
  return local(bound) && local(dialled) && (bound === 'localhost' || dialled === 'localhost');
}
