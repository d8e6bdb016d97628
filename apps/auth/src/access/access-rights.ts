/**
 * What an identity may do, and what a token grants: the intersection of the asked scopes
 * and the identity's rights. Asking for more is not an error; it is simply not granted.
 *
 * Roles mean what they mean in Azure Container Registry:
 *   AcrPull, Reader           pull, read metadata (and list the catalog)
 *   AcrPush                   pull, push, read metadata
 *   AcrDelete                 delete
 *   Contributor, Owner        pull, push, delete, read and write metadata (locks: ACR's
 *                             changeable attributes); Owner also manages identities: the
 *                             gateway checks that on the management API
 *   AcrQuarantineReader/Writer  nothing on their own: they qualify pulls and quarantine
 *                             state of quarantined images, which the scan service enforces
 * Scope-map tokens get, per repository pattern: content/read → pull, content/write → push,
 * content/delete → delete, metadata/read → metadata_read, metadata/write → metadata_write
 * (ACR's action names), and a catalog that lists only the repositories they may read
 * (content/read or metadata/read), so a token never learns of others (Azure/acr#751).
 */
import type { AccessEntry, RoleName, ScopeMapAction, ScopeMapRule } from '@meridian/contracts';

export type RepositoryAction = 'pull' | 'push' | 'delete' | 'metadata_read' | 'metadata_write';

export interface Rights {
  /** actions on every repository (roles, anonymous pull) */
  everyRepository: ReadonlySet<RepositoryAction>;
  /** actions on the repositories a scope map names */
  rules: readonly ScopeMapRule[];
  /** `registry:catalog:*` */
  catalog: boolean;
  /** the repository patterns the catalog lists; undefined: every repository */
  catalogRepositories?: readonly string[];
}

const roleActions: Record<RoleName, readonly RepositoryAction[]> = {
  AcrPull: ['pull', 'metadata_read'],
  Reader: ['pull', 'metadata_read'],
  AcrPush: ['pull', 'push', 'metadata_read'],
  AcrDelete: ['delete'],
  Contributor: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'],
  Owner: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'],
  AcrQuarantineReader: [],
  AcrQuarantineWriter: [],
};

const scopeMapActions: Record<ScopeMapAction, RepositoryAction> = {
  'content/read': 'pull',
  'content/write': 'push',
  'content/delete': 'delete',
  'metadata/read': 'metadata_read',
  'metadata/write': 'metadata_write',
};

/** What `*` asks for on a repository. */
const everyContentAction: readonly RepositoryAction[] = ['pull', 'push', 'delete'];

export const noRights: Rights = { everyRepository: new Set(), rules: [], catalog: false };

export function rightsOfRoles(roles: readonly RoleName[]): Rights {
  const actions = new Set(roles.flatMap((role) => roleActions[role]));
  return { everyRepository: actions, rules: [], catalog: actions.has('pull') };
}

export function rightsOfScopeMap(rules: readonly ScopeMapRule[]): Rights {
  const readable = rules
    .filter((rule) => rule.actions.some((action) => readActions.includes(action)))
    .map((rule) => rule.repository);
  return {
    everyRepository: new Set(),
    rules,
    catalog: readable.length > 0,
    catalogRepositories: readable,
  };
}

/** What lets a scope-map token see a repository in the catalog. */
const readActions: readonly ScopeMapAction[] = ['content/read', 'metadata/read'];

/** Anonymous pull: every repository may be pulled, nothing else. */
export function anonymousRights(anonymousPull: boolean): Rights {
  return anonymousPull
    ? { everyRepository: new Set(['pull']), rules: [], catalog: false }
    : noRights;
}

/** `team-a/*` matches every repository under `team-a/`; `*` matches every repository. */
export function repositoryMatches(pattern: string, repository: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return repository.startsWith(pattern.slice(0, -1));
  return pattern === repository;
}

export function repositoryActions(rights: Rights, repository: string): Set<RepositoryAction> {
  const actions = new Set(rights.everyRepository);
  for (const rule of rights.rules) {
    if (!repositoryMatches(rule.repository, repository)) continue;
    for (const action of rule.actions) actions.add(scopeMapActions[action]);
  }
  return actions;
}

/**
 * The access a token grants: for each asked entry, the asked actions the rights allow
 * (`*` on a repository stands for pull, push and delete and is answered with those of them
 * that are allowed). Entries granting nothing are left out.
 */
export function grantAccess(asked: readonly AccessEntry[], rights: Rights): AccessEntry[] {
  return asked.flatMap((entry) => {
    const actions = grantedActions(entry, rights);
    if (actions.length === 0) return [];
    const granted = { type: entry.type, name: entry.name, actions };
    return isCatalog(entry) && rights.catalogRepositories !== undefined
      ? [{ ...granted, repositories: [...rights.catalogRepositories] }]
      : [granted];
  });
}

function isCatalog(entry: AccessEntry): boolean {
  return entry.type === 'registry' && entry.name === 'catalog';
}

function grantedActions(entry: AccessEntry, rights: Rights): string[] {
  if (entry.type === 'registry') {
    return entry.name === 'catalog' && rights.catalog && entry.actions.includes('*') ? ['*'] : [];
  }
  if (entry.type !== 'repository') return [];
  const allowed = repositoryActions(rights, entry.name);
  const asked = entry.actions.flatMap((action) =>
    action === '*' ? everyContentAction : [action as RepositoryAction],
  );
  return [...new Set(asked)].filter((action) => allowed.has(action));
}
