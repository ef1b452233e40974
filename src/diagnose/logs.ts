/**
 * The error table of DESIGN.md, matched against log lines (files given with --logs and
 * the panes of components run in tmux). The wording is that of the real components
 * (shared/reference).
 */
export type LogClass = 'not-otlp' | 'plaintext-to-tls' | 'untrusted' | 'name-mismatch' | 'refused' | 'grpc-to-http';

const TABLE: Array<[LogClass, RegExp]> = [
  ['not-otlp', /Unimplemented.*unknown service opentelemetry\.proto\.collector\.trace\.v1\.TraceService|UNIMPLEMENTED: unknown service opentelemetry/],
  ['plaintext-to-tls', /error reading server preface: EOF|first record does not look like a TLS handshake|Last error: Failed to connect/],
  ['untrusted', /x509: certificate signed by unknown authority|self[- ]signed certificate|unable to verify the first certificate/],
  ['name-mismatch', /x509: certificate is valid for .+, not |does not match certificate's altnames/],
  ['refused', /connection refused|ECONNREFUSED/],
  ['grpc-to-http', /http2: frame too large|Missing ALPN Protocol|bogus greeting/],
];

export interface LogMatch {
  /** The file, or `tmux pane SESSION:WINDOW (collector)`. */
  source: string;
  component?: 'backend' | 'collector' | 'tempo';
  line: number;
  text: string;
  class: LogClass;
}

export function classifyLine(text: string): LogClass | undefined {
  return TABLE.find(([, re]) => re.test(text))?.[0];
}

/** Every matching line, keeping only the last line of each class per source (logs repeat themselves). */
export function matchLog(source: string, text: string, component?: LogMatch['component']): LogMatch[] {
  const last = new Map<LogClass, LogMatch>();
  text.split(/\r?\n/).forEach((line, i) => {
    const c = classifyLine(line);
    if (c) last.set(c, { source, component, line: i + 1, text: line.trim().slice(0, 400), class: c });
  });
  return [...last.values()].sort((a, b) => a.line - b.line);
}
