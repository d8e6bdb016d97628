/**
 * What a distribution API request needs its token to grant, as distribution and ACR
 * decide it: reading (GET, HEAD) needs `pull`, writing (PUT, POST, PATCH and everything
 * about an upload session) needs `push`, DELETE needs `delete`, the catalog needs
 * `registry:catalog:*`, and `/v2/` only a valid token. A mount `?from=` reads the source
 * repository, so it needs `pull` there too.
 *
 * `challenge` is what the 401 asks the client to fetch: a push asks for `pull,push`, since
 * every client checks what exists (HEAD) before it writes.
 */
import { type AccessEntry, assertUnreachable } from '@meridian/contracts';
import { type DistributionRoute, isRepositoryName } from '@meridian/oci';

export interface RequiredAccess {
  /** every entry must be granted; empty: any valid token will do */
  needed: AccessEntry[];
  /** the scopes named in the challenge */
  challenge: AccessEntry[];
}

const catalog: AccessEntry = { type: 'registry', name: 'catalog', actions: ['*'] };

export function requiredAccess(
  route: DistributionRoute,
  method: string,
  mountFrom?: string,
): RequiredAccess {
  switch (route.kind) {
    case 'base':
      return { needed: [], challenge: [] };
    case 'catalog':
      return { needed: [catalog], challenge: [catalog] };
    case 'tags':
    case 'manifest':
    case 'blob':
    case 'referrers':
      return byMethod(route.name, method);
    case 'upload':
      return pushTo(route.name);
    case 'uploads': {
      const push = pushTo(route.name);
      if (mountFrom === undefined || !isRepositoryName(mountFrom)) return push;
      const source = repository(mountFrom, ['pull']);
      return { needed: [...push.needed, source], challenge: [...push.challenge, source] };
    }
    default:
      return assertUnreachable(route);
  }
}

/** Whether a request needing `access` only reads: what anonymous pull lets through. */
export function isPullOnly(access: RequiredAccess): boolean {
  return (
    access.needed.length > 0 &&
    access.needed.every(
      (entry) => entry.type === 'repository' && entry.actions.every((action) => action === 'pull'),
    )
  );
}

function byMethod(name: string, method: string): RequiredAccess {
  if (method === 'GET' || method === 'HEAD') {
    const pull = repository(name, ['pull']);
    return { needed: [pull], challenge: [pull] };
  }
  if (method === 'DELETE') {
    const remove = repository(name, ['delete']);
    return { needed: [remove], challenge: [remove] };
  }
  return pushTo(name);
}

function pushTo(name: string): RequiredAccess {
  return {
    needed: [repository(name, ['push'])],
    challenge: [repository(name, ['pull', 'push'])],
  };
}

function repository(name: string, actions: string[]): AccessEntry {
  return { type: 'repository', name, actions };
}
