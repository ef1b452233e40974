/**
 * Tempo replica's storage: spans in memory, grouped by trace, served in the shapes of
 * Tempo 2.7.2's API (shared/reference/tempo-2.7.2): v1 and v2 trace bodies, tag search
 * and TraceQL search.
 */
import type { ExportRequest, KeyValue, ResourceSpans, Span } from './otlp.js';
import { serviceNameOf } from './otlp.js';

interface StoredTrace {
  id: string;
  /** One entry per (resource, scope) the trace's spans came with. */
  batches: ResourceSpans[];
  bytes: number;
}

export class TraceStore {
  private readonly traces = new Map<string, StoredTrace>();

  /** Stores every span of a request; returns how many traces were new. */
  add(req: ExportRequest): { spans: number; newTraces: number } {
    let spans = 0;
    let newTraces = 0;
    for (const rs of req.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const id = span.traceId.toString('hex');
          let t = this.traces.get(id);
          if (!t) {
            t = { id, batches: [], bytes: 0 };
            this.traces.set(id, t);
            newTraces++;
          }
          t.batches.push({ resource: rs.resource, scopeSpans: [{ scope: ss.scope, spans: [span] }] });
          t.bytes += 200;
          spans++;
        }
      }
    }
    return { spans, newTraces };
  }

  get size(): number {
    return this.traces.size;
  }

  /** Tempo accepts ids with or without leading zeros, any case. */
  find(id: string): StoredTrace | undefined {
    if (!/^[0-9a-fA-F]{1,32}$/.test(id)) return undefined;
    return this.traces.get(id.toLowerCase().padStart(32, '0'));
  }

  /** `/api/traces/<id>`: `{"batches": [...]}` with base64 ids. */
  v1(t: StoredTrace): unknown {
    return { batches: t.batches.map(batchJson) };
  }

  /** `/api/v2/traces/<id>`: `{"trace": {"resourceSpans": [...]}}`. */
  v2(t: StoredTrace): unknown {
    return { trace: { resourceSpans: t.batches.map(batchJson) } };
  }

  search(q: { service: string; start?: number; end?: number; limit: number; traceql: boolean }): unknown {
    const matches: Array<{ t: StoredTrace; root: { span: Span; service: string } | undefined; start: bigint; end: bigint; spans: Array<{ span: Span; service: string }> }> = [];
    for (const t of this.traces.values()) {
      const spans = t.batches.flatMap((b) => b.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ span, service: serviceNameOf(b) }))));
      const own = spans.filter((s) => s.service === q.service);
      if (own.length === 0) continue;
      const start = spans.reduce((m, s) => (BigInt(s.span.startTimeUnixNano) < m ? BigInt(s.span.startTimeUnixNano) : m), BigInt(spans[0].span.startTimeUnixNano));
      const end = spans.reduce((m, s) => (BigInt(s.span.endTimeUnixNano) > m ? BigInt(s.span.endTimeUnixNano) : m), 0n);
      const secs = Number(start / 1_000_000_000n);
      if (q.start !== undefined && secs < q.start) continue;
      if (q.end !== undefined && secs > q.end) continue;
      matches.push({ t, root: spans.find((s) => !s.span.parentSpanId || s.span.parentSpanId.length === 0), start, end, spans: own });
    }
    matches.sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
    const inspectedBytes = String([...this.traces.values()].reduce((n, t) => n + t.bytes, 0));
    const traces = matches.slice(0, q.limit).map((m) => {
      const durationMs = Number((m.end - m.start) / 1_000_000n);
      const base = {
        traceID: m.t.id.replace(/^0+/, ''),
        rootServiceName: m.root?.service ?? '<root span not yet received>',
        ...(m.root ? { rootTraceName: m.root.span.name } : {}),
        startTimeUnixNano: m.start.toString(),
        ...(durationMs > 0 ? { durationMs } : {}),
      };
      if (!q.traceql) return base;
      const spanSet = {
        spans: m.spans.map((s) => ({
          spanID: s.span.spanId.toString('hex'),
          startTimeUnixNano: s.span.startTimeUnixNano,
          durationNanos: (BigInt(s.span.endTimeUnixNano) - BigInt(s.span.startTimeUnixNano)).toString(),
          attributes: [{ key: 'service.name', value: { stringValue: s.service } }],
        })),
        matched: m.spans.length,
      };
      return { ...base, spanSet, spanSets: [spanSet], serviceStats: { [q.service]: { spanCount: m.spans.length } } };
    });
    const metrics = q.traceql
      ? { inspectedBytes, completedJobs: 1, totalJobs: 1 }
      : { inspectedTraces: this.traces.size, inspectedBytes, completedJobs: 1, totalJobs: 1 };
    return { traces, metrics };
  }
}

function batchJson(b: ResourceSpans): unknown {
  return {
    resource: { attributes: (b.resource?.attributes ?? []).map(kvJson) },
    scopeSpans: b.scopeSpans.map((ss) => ({
      scope: { ...(ss.scope?.name ? { name: ss.scope.name } : {}), ...(ss.scope?.version ? { version: ss.scope.version } : {}) },
      spans: ss.spans.map((s) => ({
        traceId: s.traceId.toString('base64'),
        spanId: s.spanId.toString('base64'),
        ...(s.parentSpanId && s.parentSpanId.length > 0 ? { parentSpanId: s.parentSpanId.toString('base64') } : {}),
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: s.startTimeUnixNano,
        endTimeUnixNano: s.endTimeUnixNano,
        ...(s.attributes?.length ? { attributes: s.attributes.map(kvJson) } : {}),
        status: s.status?.code && s.status.code !== 'STATUS_CODE_UNSET' ? { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) } : {},
      })),
    })),
  };
}

function kvJson(kv: KeyValue): unknown {
  const v = kv.value ?? {};
  const value =
    v.stringValue !== undefined ? { stringValue: v.stringValue }
    : v.boolValue !== undefined ? { boolValue: v.boolValue }
    : v.intValue !== undefined ? { intValue: String(v.intValue) }
    : v.doubleValue !== undefined ? { doubleValue: v.doubleValue }
    : v.bytesValue !== undefined ? { bytesValue: Buffer.from(v.bytesValue).toString('base64') }
    : v;
  return { key: kv.key, value };
}

/** `{ resource.service.name = "x" }` (or `.service.name`): the TraceQL the wizard sends. */
export function parseServiceQuery(q: string): string | undefined {
  return /^\{\s*(?:resource)?\.service\.name\s*=\s*"((?:[^"\\]|\\.)*)"\s*\}$/.exec(q.trim())?.[1];
}

/** `tags=service.name=x` (logfmt: several tags separated by spaces). */
export function parseServiceTag(tags: string): string | undefined {
  const m = /(?:^|\s)service\.name=("(?:[^"\\]|\\.)*"|\S+)/.exec(tags);
  return m ? m[1].replace(/^"|"$/g, '') : undefined;
}
