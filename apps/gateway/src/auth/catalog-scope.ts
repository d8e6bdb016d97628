/**
 * Which repositories a caller's catalog lists (`/v2/_catalog`, `/acr/v1/_catalog`). A token
 * of a role that pulls lists them all; a repository-scoped (scope-map) token's catalog
 * grant names the patterns it may read, and the catalog lists those only, so no token
 * learns the names of repositories it cannot read (Azure/acr#751).
 */
import type { AccessEntry } from '@meridian/contracts';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** the repository patterns the caller's catalog lists; undefined: every repository */
    meridianCatalog?: string[];
  }
}

export function listableRepositories(access: readonly AccessEntry[]): string[] | undefined {
  const catalog = access.find((entry) => entry.type === 'registry' && entry.name === 'catalog');
  return catalog?.repositories;
}

/** What to pass as the catalog RPC's `repositories`. */
export function catalogFilter(request: FastifyRequest): { repositories?: string[] } {
  return request.meridianCatalog === undefined ? {} : { repositories: request.meridianCatalog };
}
