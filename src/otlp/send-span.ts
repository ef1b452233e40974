type SpanExporter = import('@opentelemetry/sdk-trace-base').SpanExporter;

/**
 * Sends one span with the OpenTelemetry JS OTLP exporter (gRPC, or HTTP with protobuf) — the real encoder and the
 * real client, so what succeeds or fails here succeeds or fails for an instrumented app.
 * Loaded lazily: the SDK is only needed on the paths that export.
 */
export interface SendOptions {
  /** `http://host:port` (plaintext) or `https://host:port` (TLS). */
  url: string;
  /** OTLP/gRPC (default) or OTLP/HTTP with protobuf, as the backend sends. */
  protocol?: 'grpc' | 'http/protobuf';
  /** PEM of the certificates to trust; without it, the system store. */
  ca?: Buffer;
  /** TLS without verifying the chain (the collector's insecure_skip_verify). */
  skipVerify?: boolean;
  /** Dial one name but verify the certificate for another. */
  serverName?: string;
  serviceName?: string;
  spanName?: string;
  timeoutMs?: number;
}

export interface SendResult {
  traceId: string;
  ok: boolean;
  /** gRPC status code and message when the export failed. */
  code?: number;
  message?: string;
  /** When the export was acknowledged (ms since epoch). */
  ackedAt?: number;
}

export async function sendSpan(opts: SendOptions): Promise<SendResult> {
  const [grpc, { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@grpc/grpc-js'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  const tls = opts.url.startsWith('https://');
  const { checkServerIdentity } = await import('node:tls');
  const verifyName = opts.serverName ? (_host: string, cert: import('node:tls').PeerCertificate) => checkServerIdentity(opts.serverName!, cert) : undefined;
  let exporter: SpanExporter;
  if (opts.protocol === 'http/protobuf') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    const agent = { ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.skipVerify ? { rejectUnauthorized: false } : {}), ...(verifyName ? { checkServerIdentity: verifyName } : {}) };
    exporter = new OTLPTraceExporter({ url: `${opts.url.replace(/\/$/, '')}/v1/traces`, httpAgentOptions: agent, timeoutMillis: opts.timeoutMs ?? 5000 });
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    const verify = opts.skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : verifyName ? { checkServerIdentity: verifyName } : {};
    const credentials = tls ? grpc.credentials.createSsl(opts.ca ?? null, null, null, verify) : grpc.credentials.createInsecure();
    exporter = new OTLPTraceExporter({ url: opts.url, credentials, timeoutMillis: opts.timeoutMs ?? 5000 });
  }
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName ?? 'trace-wizard' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const span = provider.getTracer('trace-wizard').startSpan(opts.spanName ?? 'trace-wizard-canary');
  const traceId = span.spanContext().traceId;
  span.end();
  const spans = memory.getFinishedSpans();
  try {
    const result = await new Promise<{ code: number; error?: Error & { code?: number; details?: string } }>((resolve) => exporter.export(spans, resolve));
    if (result.code === 0) return { traceId, ok: true, ackedAt: Date.now() };
    const err = result.error;
    return { traceId, ok: false, code: err?.code, message: err?.message ?? 'export failed' };
  } finally {
    await exporter.shutdown().catch(() => undefined);
    await provider.shutdown().catch(() => undefined);
  }
}
