/**
 * Tracing: one OpenTelemetry tracer for Meridian, spans around the work that crosses a
 * process (HTTP, NATS requests, JetStream messages, store calls), and the W3C trace
 * context carried in NATS headers so one push reads as one trace.
 *
 * Nothing is recorded unless `startTracing` ran: with no exporter configured the API stays
 * the no-op one, so the hot path pays for a few function calls and nothing else.
 */
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
export type { Span } from '@opentelemetry/api';

const tracerName = 'meridian';

export interface TracingOptions {
  service: string;
  region: string;
  /** where spans go; by default OTLP over HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

export interface Tracing {
  /** flushes spans still buffered and stops exporting */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing when there is somewhere to send spans: an OTLP endpoint in the
 * environment, or processors a test passes. Returns undefined (tracing stays off) otherwise,
 * or when OTEL_SDK_DISABLED is true.
 *
 * The tracer provider is OpenTelemetry's Node one, not its `NodeSDK`: the SDK would bring
 * its gRPC and protobuf exporters, its logs SDK and its declarative configuration into every
 * service's bundle (1.3 of its 4.6 MB, parsed at every start) for settings Meridian does not
 * use. What the SDK read from the standard variables is read here or by the provider: the
 * sampler and the span limits (`OTEL_TRACES_SAMPLER`, `OTEL_SPAN_*`, by the provider), the
 * propagators (`OTEL_PROPAGATORS`, propagatorFromEnv), the exporter's and the batch
 * processor's own (`OTEL_EXPORTER_OTLP_*`, `OTEL_BSP_*`, by them).
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const processors =
    options.spanProcessors ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? [new BatchSpanProcessor(new OTLPTraceExporter())]
      : undefined);
  if (!processors) return undefined;
  const provider = new NodeTracerProvider({
    // the service and region say what the spans need; detecting hosts and processes would
    // hold every export until it finished
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? `meridian-${options.service}`,
      'meridian.region': options.region,
    }),
    spanProcessors: processors,
  });
  // the global context manager (AsyncLocalStorage) and propagator, as the SDK registered them
  provider.register({ propagator: propagatorFromEnv(env) });
  return { shutdown: () => provider.shutdown() };
}

const propagators: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
  jaeger: () => new JaegerPropagator(),
};

/**
 * The propagators `OTEL_PROPAGATORS` names, as OpenTelemetry's SDK reads it: unset or empty,
 * undefined (the default: W3C trace context and baggage); `none`, or nothing it knows,
 * null (none registered); names it does not know are skipped.
 */
export function propagatorFromEnv(env: NodeJS.ProcessEnv): TextMapPropagator | null | undefined {
  const names = [
    ...new Set(
      (env.OTEL_PROPAGATORS ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) return undefined;
  if (names.includes('none')) return null;
  const chosen = names.flatMap((name) => (propagators[name] ? [propagators[name]()] : []));
  if (chosen.length === 0) return null;
  return chosen.length === 1 ? chosen[0]! : new CompositePropagator({ propagators: chosen });
}

export function tracer() {
  return trace.getTracer(tracerName);
}

/**
 * Runs `work` inside a new span (child of the active one, or of `parent`): the span ends
 * when the work settles and records the error it failed with.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    recordSpanError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export function recordSpanError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: err instanceof Error ? err.message : undefined,
  });
}

/** Something headers can be written to: NATS MsgHdrs, a plain record. */
export interface HeaderWriter {
  set(key: string, value: string): void;
}

/** Something headers can be read from: NATS MsgHdrs, a plain record. */
export interface HeaderReader {
  get(key: string): string | undefined | null;
  keys?(): string[];
}

/** Writes the active trace context (`traceparent`, `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: HeaderWriter, from: Context = context.active()): void {
  propagation.inject(from, headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** The trace context an incoming message carries, as the parent for the work on it. */
export function extractTraceContext(headers: HeaderReader | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier.get(key) || undefined,
    keys: (carrier) => carrier.keys?.() ?? [],
  });
}

/** The id of the active trace, for log lines; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
