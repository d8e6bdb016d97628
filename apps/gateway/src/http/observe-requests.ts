/**
 * Every HTTP request the gateway answers as a span and in the metrics: a server span
 * (continuing the caller's trace when it sends `traceparent`) that the RPCs the request
 * makes are children of, and `meridian_http_*` counts, durations and bytes by method,
 * route template and status. Bytes in and out are what crossed the connection since the
 * previous response on it (HTTP/1.1 answers one request at a time per connection): a
 * request's headers and body, its response's headers and body, however they were framed.
 */
import {
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  extractTraceContext,
  metrics,
  trace,
  tracer,
} from '@meridian/telemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeOfPath } from './route-of-path';

interface Observation {
  span: Span;
  route: string;
  startedAt: number;
}

/** a connection's byte counts when its previous response finished */
interface ByteMark {
  read: number;
  written: number;
}

const observationKey = Symbol('meridian.observation');
type ObservedRequest = FastifyRequest & { [observationKey]?: Observation };
const byteMarks = new WeakMap<object, ByteMark>();

export function observeRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: ObservedRequest, _reply, done) => {
    const route = routeOfPath(request.url, request.routeOptions.url);
    const parent = extractTraceContext({
      get: (key) => {
        const value = request.headers[key];
        return Array.isArray(value) ? value[0] : value;
      },
    });
    const span = tracer().startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route },
      },
      parent,
    );
    request[observationKey] = { span, route, startedAt: performance.now() };
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request: ObservedRequest, reply, done) => {
    const observation = request[observationKey];
    if (observation) record(request, reply.statusCode, observation);
    done();
  });
}

function record(request: FastifyRequest, status: number, observation: Observation): void {
  const registry = metrics();
  const attributes = { method: request.method, route: observation.route, status };
  registry.httpRequests.add(1, attributes);
  registry.httpRequestDuration.record(
    (performance.now() - observation.startedAt) / 1000,
    attributes,
  );
  const socket = request.raw.socket;
  const now: ByteMark = { read: socket.bytesRead, written: socket.bytesWritten };
  const previous = byteMarks.get(socket) ?? { read: 0, written: 0 };
  byteMarks.set(socket, now);
  const route = { route: observation.route };
  registry.httpBytesReceived.add(Math.max(0, now.read - previous.read), route);
  registry.httpBytesSent.add(Math.max(0, now.written - previous.written), route);
  observation.span.setAttribute('http.response.status_code', status);
  if (status >= 500) observation.span.setStatus({ code: SpanStatusCode.ERROR });
  observation.span.end();
}
