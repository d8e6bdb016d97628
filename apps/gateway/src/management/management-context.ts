import type { RpcContext } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { callerIdentity } from '../auth/caller-identity';
import { buildRpcContext } from '../http/build-rpc-context';

/**
 * The RPC context of a management call: the authenticated caller as the actor the auth
 * service records in its events (refused when nobody authenticated), and the request.
 */
export function managementContext(request: FastifyRequest): { context: RpcContext } {
  const caller = callerIdentity(request);
  return { context: { ...buildRpcContext(request), actor: { name: caller.name } } };
}
