/**
 * OTLP trace protocol, from the real `.proto` definitions (shipped in an OpenTelemetry npm
 * package, loaded by @grpc/proto-loader): the gRPC service both replicas serve or call,
 * protobuf decoding and encoding for OTLP/HTTP, and OTLP/JSON reading.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import path from 'node:path';

export const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';

const require = createRequire(import.meta.url);
const PROTO_ROOT = path.join(path.dirname(require.resolve('otlp-protos/package.json')), 'build', 'protos');

/** The decoded form we work with: ids and bytes as Buffers, 64-bit numbers as strings. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: Buffer;
}
export interface KeyValue {
  key: string;
  value?: AnyValue;
}
export interface Span {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId?: Buffer;
  traceState?: string;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: KeyValue[];
  status?: { code?: string; message?: string };
  events?: unknown[];
  links?: unknown[];
}
export interface ScopeSpans {
  scope?: { name?: string; version?: string; attributes?: KeyValue[] };
  spans: Span[];
}
export interface ResourceSpans {
  resource?: { attributes: KeyValue[] };
  scopeSpans: ScopeSpans[];
}
export interface ExportRequest {
  resourceSpans: ResourceSpans[];
}

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: false, arrays: true, oneofs: false, includeDirs: [PROTO_ROOT] };

let cached: protoLoader.PackageDefinition | undefined;
function definition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', LOADER_OPTIONS);
  return cached;
}

/** The TraceService definition, for `server.addService` and generic clients. */
export function traceService(): grpc.ServiceDefinition {
  return definition()[TRACE_SERVICE] as grpc.ServiceDefinition;
}

const exportMethod = () => traceService().Export;

export function decodeExportRequest(body: Buffer): ExportRequest {
  return exportMethod().requestDeserialize(body) as ExportRequest;
}

export function encodeExportRequest(req: ExportRequest): Buffer {
  return exportMethod().requestSerialize(req);
}

export function encodeExportResponse(): Buffer {
  return exportMethod().responseSerialize({});
}

/** OTLP/JSON (ids in hex, enums as numbers or names) into the decoded form. */
export function fromOtlpJson(json: unknown): ExportRequest {
  const j = json as { resourceSpans?: Array<Record<string, unknown>> };
  const kinds = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
  return {
    resourceSpans: (j.resourceSpans ?? []).map((rs) => ({
      resource: rs.resource as ResourceSpans['resource'],
      scopeSpans: ((rs.scopeSpans as Array<Record<string, unknown>>) ?? []).map((ss) => ({
        scope: ss.scope as ScopeSpans['scope'],
        spans: ((ss.spans as Array<Record<string, unknown>>) ?? []).map((s) => ({
          ...(s as object),
          traceId: Buffer.from(String(s.traceId ?? ''), 'hex'),
          spanId: Buffer.from(String(s.spanId ?? ''), 'hex'),
          parentSpanId: s.parentSpanId ? Buffer.from(String(s.parentSpanId), 'hex') : undefined,
          kind: typeof s.kind === 'number' ? kinds[s.kind] : String(s.kind ?? 'SPAN_KIND_UNSPECIFIED'),
          name: String(s.name ?? ''),
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
        })),
      })),
    })),
  };
}

export function spanCount(req: ExportRequest): number {
  return req.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0);
}

export function serviceNameOf(rs: ResourceSpans): string {
  const attr = rs.resource?.attributes?.find((a) => a.key === 'service.name');
  return attr?.value?.stringValue ?? 'unknown_service';
}
