/**
 * The answer to a request Fastify's router refuses before any hook or handler runs (a URL
 * whose percent-encoding does not decode): rendered like every other error, in the OCI shape
 * and with `Docker-Distribution-API-Version`, instead of Fastify's own JSON.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './render-error';

export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const rendered = renderError(error, { method: request.method, url: request.url });
  void reply
    .code(rendered.status)
    .header('docker-distribution-api-version', 'registry/2.0')
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(rendered.body));
}
