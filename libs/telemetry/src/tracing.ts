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
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
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
 * Starts the SDK when there is somewhere to send spans: an OTLP endpoint in the
 * environment, or processors a test passes. Returns undefined (tracing stays off) otherwise.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const env = options.env ?? process.env;
  const processors =
    options.spanProcessors ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? [new BatchSpanProcessor(new OTLPTraceExporter())]
      : undefined);
  if (!processors) return undefined;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? `meridian-${options.service}`,
      'meridian.region': options.region,
    }),
    // the service and region say what the spans need; detecting hosts and processes would
    // hold every export until it finished
    autoDetectResources: false,
    spanProcessors: processors,
    // metrics have their own reader (metrics.ts); the SDK must not add another
    metricReaders: [],
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
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
