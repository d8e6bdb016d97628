import type { IncomingMessage } from 'node:http';

/** The declared body length, or undefined for a chunked body (or none). */
export function declaredContentLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  // node's parser has already refused a malformed or repeated Content-Length
  return header === undefined ? undefined : Number(header);
}

/** Whether the request carries a body, however short: a Content-Length above 0, or chunks. */
export function hasRequestBody(request: IncomingMessage): boolean {
  const length = declaredContentLength(request);
  return length !== undefined ? length > 0 : request.headers['transfer-encoding'] !== undefined;
}
