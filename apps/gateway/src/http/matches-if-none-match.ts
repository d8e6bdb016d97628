import type { FastifyRequest } from 'fastify';

/**
 * Whether a conditional GET already holds this entity (RFC 9110 §13.1.2), so a 304 can
 * replace the body. ETags here are digests, hence strong; a weak `W/` prefix is ignored
 * as the weak comparison of If-None-Match requires.
 */
export function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
