import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, injectTraceContext, propagatorFromEnv, startTracing } from './tracing';

/** The headers `propagator` writes for a sampled span context. */
function headersFrom(env: NodeJS.ProcessEnv): string[] {
  const propagator = propagatorFromEnv(env);
  if (!propagator) return [];
  const spanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
  };
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, {
    set: (headers, key, value) => (headers[key] = value),
  });
  return Object.keys(carrier).sort();
}

describe(propagatorFromEnv.name, () => {
  it('is the default (W3C trace context and baggage) when OTEL_PROPAGATORS is unset or empty', () => {
    expect(propagatorFromEnv({})).toBeUndefined();
    expect(propagatorFromEnv({ OTEL_PROPAGATORS: ' ' })).toBeUndefined();
  });

  it('writes the headers of the propagators it names, each once', () => {
    expect(headersFrom({ OTEL_PROPAGATORS: 'tracecontext' })).toEqual(['traceparent']);
    expect(headersFrom({ OTEL_PROPAGATORS: 'b3' })).toEqual(['b3']);
    expect(headersFrom({ OTEL_PROPAGATORS: 'b3multi' })).toEqual(
      ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'].sort(),
    );
    expect(headersFrom({ OTEL_PROPAGATORS: 'jaeger' })).toEqual(['uber-trace-id']);
    expect(headersFrom({ OTEL_PROPAGATORS: 'tracecontext, b3,tracecontext' })).toEqual([
      'b3',
      'traceparent',
    ]);
  });

  it('registers none for `none`, or when it knows none of the names', () => {
    expect(propagatorFromEnv({ OTEL_PROPAGATORS: 'tracecontext,none' })).toBeNull();
    expect(propagatorFromEnv({ OTEL_PROPAGATORS: 'xray' })).toBeNull();
    expect(headersFrom({ OTEL_PROPAGATORS: 'xray,b3' })).toEqual(['b3']);
  });
});

describe(startTracing.name, () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
  });

  it('stays off with nowhere to send spans, or when OTEL_SDK_DISABLED is true', () => {
    expect(startTracing({ service: 'manifest', region: 'us-east', env: {} })).toBeUndefined();
    const exporter = new InMemorySpanExporter();
    expect(
      startTracing({
        service: 'manifest',
        region: 'us-east',
        env: { OTEL_SDK_DISABLED: 'TRUE' },
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      }),
    ).toBeUndefined();
  });

  it('records spans with the service and region, nested by context, and propagates them', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({
      service: 'manifest',
      region: 'us-east',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const headers = new Map<string, string>();
    await inSpan('outer', {}, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await inSpan('inner', {}, async () => {
        injectTraceContext({ set: (key, value) => headers.set(key, value) });
      });
    });
    const [inner, outer] = exporter.getFinishedSpans();
    await tracing?.shutdown();

    expect(outer?.name).toBe('outer');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(outer?.resource.attributes).toMatchObject({
      'service.name': 'meridian-manifest',
      'meridian.region': 'us-east',
    });
    expect(headers.get('traceparent')).toContain(inner?.spanContext().spanId);
  });
});
