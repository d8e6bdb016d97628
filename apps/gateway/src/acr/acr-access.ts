/**
 * What an `/acr/v1` request needs its token to grant, with ACR's scope-map actions: the
 * catalog `registry:catalog:*`, a read `metadata_read` (metadata/read), a PATCH of changeable
 * attributes `metadata_write` (metadata/write), a DELETE `delete` (content/delete), as on
 * `/v2`. The challenge names the same scope, so a client fetches the token it needs.
 */
import type { AccessEntry } from '@meridian/contracts';
import type { RequiredAccess } from '../auth/required-access';
import type { AcrRoute } from './parse-acr-path';

/** The routes that name one item, which alone take PATCH and DELETE. */
export type AcrItemRoute = Extract<AcrRoute, { kind: 'repository' | 'tag' | 'manifest' }>;

const catalogScope: AccessEntry = { type: 'registry', name: 'catalog', actions: ['*'] };

const actionByMethod = { GET: 'metadata_read', PATCH: 'metadata_write', DELETE: 'delete' };

export function requiredAcrAccess(
  route: AcrRoute,
  method: keyof typeof actionByMethod,
): RequiredAccess {
  const entry: AccessEntry =
    route.kind === 'catalog'
      ? catalogScope
      : { type: 'repository', name: route.name, actions: [actionByMethod[method]] };
  return { needed: [entry], challenge: [entry] };
}

export function isItemRoute(route: AcrRoute): route is AcrItemRoute {
  return route.kind === 'repository' || route.kind === 'tag' || route.kind === 'manifest';
}
