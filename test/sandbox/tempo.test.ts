import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendSpan } from '../../src/otlp/send-span.js';
import { READY_BODY } from '../../src/sandbox/tempo.js';
import { apiGet, startTempo } from '../helpers/sandbox.js';
import { SEED } from '../helpers/tmp.js';

const REF = path.resolve(SEED, '..', 'tempo-2.7.2');
const ref = (f: string) => readFileSync(path.join(REF, f), 'utf8');

describe('Tempo replica, with the real OpenTelemetry JS exporter as client', () => {
  it('answers OTLP on the internal gRPC port with UNIMPLEMENTED, like the real 9095', async () => {
    const t = await startTempo();
    const r = await sendSpan({ url: `http://localhost:${t.ports.grpc}` });
    expect(r.ok).toBe(false);
    expect(r.code).toBe(12);
    expect(r.message).toBe('12 UNIMPLEMENTED: unknown service opentelemetry.proto.collector.trace.v1.TraceService');
  });

  it('fails plaintext to the TLS receiver as the reference shows, and logs it as Tempo does', async () => {
    const t = await startTempo();
    const r = await sendSpan({ url: `http://localhost:${t.ports.otlp}` });
    expect(r.code).toBe(14);
    expect(r.message).toMatch(/^14 UNAVAILABLE: No connection established\. Last error: Failed to connect \(.*\)\. Resolution note: $/);
    expect(t.logs.some((l) => /^http: TLS handshake error from 127\.0\.0\.1:\d+: tls: first record does not look like a TLS handshake$/.test(l))).toBe(true);
  });

  it('fails TLS without the CA on the self-signed certificate', async () => {
    const t = await startTempo();
    const r = await sendSpan({ url: `https://localhost:${t.ports.otlp}` });
    expect(r.code).toBe(14);
    expect(r.message).toBe('14 UNAVAILABLE: No connection established. Last error: Error: self-signed certificate. Resolution note: ');
    expect(t.tempo.counters.spansReceived).toBe(0);
  });

  it('accepts TLS with the CA; the span is found by id in the v1 and v2 shapes', async () => {
    const t = await startTempo();
    const r = await sendSpan({ url: `https://localhost:${t.ports.otlp}`, ca: t.ca, spanName: 'probe', serviceName: 'unknown_service:node' });
    expect(r.ok).toBe(true);
    const v1 = await apiGet(`${t.api}/api/traces/${r.traceId}`, t.ca);
    expect(v1.status).toBe(200);
    const body = JSON.parse(v1.body);
    const refShape = JSON.parse(ref('api-traces-v1.json'));
    expect(Object.keys(body)).toEqual(Object.keys(refShape));
    const span = body.batches[0].scopeSpans[0].spans[0];
    expect(Buffer.from(span.traceId, 'base64').toString('hex')).toBe(r.traceId);
    expect(span).toMatchObject({ name: 'probe', kind: 'SPAN_KIND_INTERNAL', status: {} });
    expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(body.batches[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'unknown_service:node' } });
    const v2 = JSON.parse((await apiGet(`${t.api}/api/v2/traces/${r.traceId}`, t.ca)).body);
    expect(v2.trace.resourceSpans[0].scopeSpans[0].spans[0].spanId).toBe(span.spanId);
  });

  it('answers an unknown id with 404 and an empty body', async () => {
    const t = await startTempo();
    const r = await apiGet(`${t.api}/api/traces/0123456789abcdef0123456789abcdef`, t.ca);
    expect(r.status).toBe(404);
    expect(r.body).toBe('');
    expect(ref('api-traces-404-headers.txt')).toContain('content-length: 0');
  });

  it('answers /ready with 503 and the real body during the start-up delay, then 200', async () => {
    const t = await startTempo({ readyDelayMs: 800 });
    const first = await apiGet(`${t.api}/ready`, t.ca);
    expect(first.status).toBe(503);
    expect(first.body).toBe(ref('ready.txt'));
    expect(READY_BODY).toBe(ref('ready.txt'));
    await new Promise((r) => setTimeout(r, 900));
    const later = await apiGet(`${t.api}/ready`, t.ca);
    expect([later.status, later.body]).toEqual([200, 'ready\n']);
  });

  it('leaves labelled counters absent until the first span, then serves the reference series', async () => {
    const t = await startTempo();
    const before = (await apiGet(`${t.api}/metrics`, t.ca)).body;
    expect(before).toContain('tempo_build_info{');
    expect(before).not.toContain('tempo_distributor_spans_received_total');
    expect(before).not.toContain('tempo_receiver_accepted_spans');
    await sendSpan({ url: `https://localhost:${t.ports.otlp}`, ca: t.ca });
    const after = (await apiGet(`${t.api}/metrics`, t.ca)).body;
    // Same series, help texts and labels as the capture from real Tempo 2.7.2 after one span.
    expect(after).toBe(ref('metrics-excerpt.txt'));
  });

  it('switches to Tempo 3 metric names by version, and reports the version in buildinfo', async () => {
    const t = await startTempo({ version: '3.0.1' });
    await sendSpan({ url: `https://localhost:${t.ports.otlp}`, ca: t.ca });
    const m = (await apiGet(`${t.api}/metrics`, t.ca)).body;
    expect(m).toContain('tempo_live_store_traces_created_total{tenant="single-tenant"} 1');
    expect(m).not.toContain('tempo_ingester_traces_created_total');
    expect(JSON.parse((await apiGet(`${t.api}/api/status/buildinfo`, t.ca)).body).version).toBe('3.0.1');
    const defaultVersion = await startTempo();
    expect(JSON.parse((await apiGet(`${defaultVersion.api}/api/status/buildinfo`, defaultVersion.ca)).body)).toEqual(JSON.parse(ref('buildinfo.json')));
  });

  it('searches by tags and by TraceQL, with start, end and limit, in the reference shapes', async () => {
    const t = await startTempo();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await sendSpan({ url: `https://localhost:${t.ports.otlp}`, ca: t.ca, serviceName: 'svc-a', spanName: `op${i}` })).traceId);
    await sendSpan({ url: `https://localhost:${t.ports.otlp}`, ca: t.ca, serviceName: 'svc-b' });
    const tags = JSON.parse((await apiGet(`${t.api}/api/search?tags=${encodeURIComponent('service.name=svc-a')}&limit=2`, t.ca)).body);
    expect(tags.traces).toHaveLength(2);
    expect(Object.keys(tags.traces[0]).slice(0, 4)).toEqual(Object.keys(JSON.parse(ref('api-search-tags.json')).traces[0]));
    expect(tags.traces.every((x: { rootServiceName: string }) => x.rootServiceName === 'svc-a')).toBe(true);
    expect(Object.keys(tags.metrics)).toEqual(Object.keys(JSON.parse(ref('api-search-tags.json')).metrics));
    const q = JSON.parse((await apiGet(`${t.api}/api/search?q=${encodeURIComponent('{ resource.service.name = "svc-a" }')}`, t.ca)).body);
    expect(q.traces.map((x: { traceID: string }) => x.traceID.padStart(32, '0')).sort()).toEqual([...ids].sort());
    const refQ = JSON.parse(ref('api-search-traceql.json')).traces[0];
    expect(Object.keys(q.traces[0]).sort()).toEqual(Object.keys(refQ).sort());
    const future = Math.floor(Date.now() / 1000) + 3600;
    const none = JSON.parse((await apiGet(`${t.api}/api/search?tags=${encodeURIComponent('service.name=svc-a')}&start=${future}&end=${future + 60}`, t.ca)).body);
    expect(none.traces).toEqual([]);
  });

  it('receives OTLP/HTTP protobuf and JSON when the http protocol is configured', async () => {
    const t = await startTempo({ otlpHttp: true });
    const { ProtobufTraceSerializer, JsonTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const mem = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(mem)] });
    provider.getTracer('t').startSpan('proto').end();
    provider.getTracer('t').startSpan('json').end();
    const [protoSpan, jsonSpan] = mem.getFinishedSpans();
    const url = `http://127.0.0.1:${t.ports.otlpHttp}/v1/traces`;
    const p = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(ProtobufTraceSerializer.serializeRequest([protoSpan])!) });
    const j = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JsonTraceSerializer.serializeRequest([jsonSpan])!) });
    expect([p.status, j.status]).toEqual([200, 200]);
    for (const s of [protoSpan, jsonSpan]) expect((await apiGet(`${t.api}/api/traces/${s.spanContext().traceId}`, t.ca)).status).toBe(200);
    expect(await (await apiGet(`${t.api}/metrics`, t.ca)).body).toContain('tempo_receiver_accepted_spans{receiver="tempo/otlp_receiver",transport="http"} 2');
  });
});
