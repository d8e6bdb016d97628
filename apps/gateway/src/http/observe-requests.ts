/**
 * Every HTTP request the gateway answers as a span and in the metrics: a server span
 * (continuing the caller's trace when it sends `traceparent`) that the RPCs the request
 * makes are children of, and `meridian_http_*` counts, durations and bytes by method,
 * route template and status. Bytes are what crossed the socket while the request ran.
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
  bytesRead: number;
  bytesWritten: number;
}

const observationKey = Symbol('meridian.observation');
type ObservedRequest = FastifyRequest & { [observationKey]?: Observation };

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
    const socket = request.raw.socket;
    request[observationKey] = {
      span,
      route,
      startedAt: performance.now(),
      bytesRead: socket.bytesRead,
      bytesWritten: socket.bytesWritten,
    };
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
  const route = { route: observation.route };
  registry.httpBytesReceived.add(Math.max(0, socket.bytesRead - observation.bytesRead), route);
  registry.httpBytesSent.add(Math.max(0, socket.bytesWritten - observation.bytesWritten), route);
  observation.span.setAttribute('http.response.status_code', status);
  if (status >= 500) observation.span.setStatus({ code: SpanStatusCode.ERROR });
  observation.span.end();
}
