import type { RpcContext } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';

/**
 * Who asked (the identity authentication named, when it did), through which HTTP request:
 * services copy it into the events they write.
 */
export function buildRpcContext(request: FastifyRequest): RpcContext {
  const identity = request.meridianIdentity;
  return {
    ...(identity !== undefined ? { actor: { name: identity.name } } : {}),
    request: {
      id: request.id,
      host: request.headers.host,
      method: request.method,
      useragent: request.headers['user-agent'],
      addr: request.ip,
    },
  };
}
