/**
 * The identity the gateway authenticated for a request (from a verified access token, Basic
 * credentials on the management API, or the anonymous identity). The authorization guard
 * sets it before any controller runs; controllers read it here to pass it on as the actor.
 */
import { type Identity, RegistryError } from '@meridian/contracts';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    meridianIdentity?: Identity;
  }
}

export function callerIdentity(request: FastifyRequest): Identity {
  const identity = request.meridianIdentity;
  if (!identity) throw new RegistryError('UNAUTHORIZED', 'authentication required');
  return identity;
}
