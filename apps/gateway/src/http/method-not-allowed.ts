import { RegistryError } from '@meridian/contracts';
import type { FastifyReply } from 'fastify';

/** 405 UNSUPPORTED for a method the route does not serve, with the `Allow` header RFC 9110 asks for. */
export function methodNotAllowed(
  reply: FastifyReply,
  method: string,
  allowed: readonly string[],
): RegistryError {
  void reply.header('allow', allowed.join(', '));
  return new RegistryError('UNSUPPORTED', `${method} is not supported on this route`, {
    method,
    allowed,
  });
}
