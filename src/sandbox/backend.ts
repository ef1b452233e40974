/**
 * The sandbox's instrumented services, configured only by their `.env` (loaded at start):
 * an HTTP server with a span per request and a `heartbeat` span every second, exported by
 * a batch processor.
 * - `node`: the real OpenTelemetry Node SDK (`@opentelemetry/sdk-node`), which reads every
 *   OTEL_EXPORTER_OTLP_* variable itself, so a wrong repair fails for real;
 * - `rust-like`: behaves like Rust's `opentelemetry-otlp` crate with tonic: always gRPC,
 *   TLS for an https endpoint with the system's roots only — it never reads
 *   OTEL_EXPORTER_OTLP_CERTIFICATE (custom trust is code-only in that crate).
 */
import dotenv from 'dotenv';
import http from 'node:http';
import path from 'node:path';

export type BackendFlavour = 'node' | 'rust-like';

export async function runBackend(flavour: BackendFlavour, envPath = '.env'): Promise<void> {
  dotenv.config({ path: path.resolve(envPath), quiet: true });
  const env = process.env;
  const api = await import('@opentelemetry/api');
  // Export failures reach the pane (and diagnosis) through the SDK's diagnostic log.
  if (!env.OTEL_LOG_LEVEL) api.diag.setLogger(new api.DiagConsoleLogger(), api.DiagLogLevel.ERROR);
  const shutdown = flavour === 'node' ? await startNodeSdk() : await startRustLike();

  const tracer = api.trace.getTracer('ag-backend');
  const heartbeat = setInterval(() => tracer.startSpan('heartbeat').end(), 1000);
  const host = !env.BACKEND_HOST || env.BACKEND_HOST === '0.0.0.0' ? '127.0.0.1' : env.BACKEND_HOST;
  const port = Number(env.BACKEND_PORT ?? 3010);
  const server = http.createServer((req, res) => {
    const span = tracer.startSpan(`${req.method} ${req.url?.split('?')[0]}`, { kind: api.SpanKind.SERVER });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, service: env.OTEL_SERVICE_NAME }) + '\n');
    span.end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '(SDK default)';
  const protocol = flavour === 'rust-like' ? 'grpc' : (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf');
  process.stdout.write(`${env.OTEL_SERVICE_NAME ?? 'backend'} (${flavour}) listening on http://${host}:${port}; traces to ${endpoint} (${protocol})\n`);

  const stop = async () => {
    clearInterval(heartbeat);
    server.close();
    await shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function startNodeSdk(): Promise<() => Promise<void>> {
  // Only traces matter here; without these the SDK would also try to export metrics and logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  return () => sdk.shutdown();
}

async function startRustLike(): Promise<() => Promise<void>> {
  const env = process.env;
  // The crate never reads these; make sure nothing below does either.
  delete env.OTEL_EXPORTER_OTLP_CERTIFICATE;
  delete env.OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4317';
  const [grpc, { OTLPTraceExporter }, { BasicTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }, api] = await Promise.all([
    import('@grpc/grpc-js'),
    import('@opentelemetry/exporter-trace-otlp-grpc'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/api'),
  ]);
  const credentials = endpoint.startsWith('https://') ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  const exporter = new OTLPTraceExporter({ url: endpoint, credentials });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'unknown_service', 'telemetry.sdk.language': 'rust' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  api.trace.setGlobalTracerProvider(provider);
  return () => provider.shutdown();
}
