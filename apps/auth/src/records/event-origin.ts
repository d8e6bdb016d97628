import type { EventOrigin } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';

/** Who made a change and through which request, as its event records them. */
export function originOf(context: RpcContext): EventOrigin {
  return {
    ...(context.actor ? { actor: context.actor } : {}),
    ...(context.request ? { request: context.request } : {}),
  };
}
