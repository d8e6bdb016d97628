/**
 * Which registry roles carry each management permission, with ACR's meaning: every role
 * that may pull may read the registry's state; Owner and Contributor may change it; only
 * Owner manages identities. The admin account is the registry's owner.
 */
import type { Identity } from '@meridian/contracts';
import type { ManagementPermission } from './authorize.decorator';

const rolesFor: Record<ManagementPermission, readonly string[]> = {
  'registry:read': ['AcrPull', 'AcrPush', 'AcrDelete', 'Reader', 'Contributor', 'Owner'],
  'registry:write': ['Contributor', 'Owner'],
  'identities:manage': ['Owner'],
  'quarantine:write': ['AcrQuarantineWriter'],
};

export function hasPermission(identity: Identity, permission: ManagementPermission): boolean {
  if (identity.kind === 'admin') return true;
  return identity.roles.some((role) => rolesFor[permission].includes(role));
}

/** Roles under which a caller reads every repository (what a mount without `from` needs). */
const readsEveryRepository: readonly string[] = rolesFor['registry:read'];

export function mayReadEveryRepository(identity: Identity | undefined): boolean {
  if (identity === undefined) return false;
  return (
    identity.kind === 'admin' || identity.roles.some((role) => readsEveryRepository.includes(role))
  );
}
