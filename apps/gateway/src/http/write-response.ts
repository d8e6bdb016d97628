/**
 * Answers on the node response directly. Fastify's reply pipeline (serialisers, hooks,
 * header bookkeeping) costs more than the small registry responses themselves; the
 * headers set in the `onRequest` hook on `reply.raw` are merged in by node.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

export function writeResponse(
  reply: FastifyReply,
  status: number,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string,
): void {
  reply.hijack();
  const raw = reply.raw;
  if (body === undefined && headers['content-length'] === undefined) headers['content-length'] = 0;
  raw.writeHead(status, headers);
  raw.end(body);
}

export function writeJson(
  reply: FastifyReply,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = JSON.stringify(value);
  writeResponse(
    reply,
    status,
    {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...headers,
    },
    body,
  );
}
