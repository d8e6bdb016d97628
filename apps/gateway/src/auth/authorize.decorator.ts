/**
 * What a management API route (`/api/v1/…`) requires of its caller. The gateway's
 * authorization guard reads it; a management route without it is refused to everyone, so a
 * forgotten decorator fails closed.
 *
 *   registry:read     any identity with a role that may pull (status, regions, scans)
 *   registry:write    Owner or Contributor (webhooks)
 *   identities:manage Owner (admin account, service principals, roles, scope maps, tokens)
 *   quarantine:write  AcrQuarantineWriter (ACR's PATCH deciding a quarantined image)
 *
 * A route under `/acr/v1` may instead be `@AuthorizedByToken()`: it checks the scopes of the
 * caller's access token itself, as `/v2` does (ACR's `metadata_read`, `metadata_write`, `delete`).
 */
import { SetMetadata } from '@nestjs/common';

export type ManagementPermission =
  'registry:read' | 'registry:write' | 'identities:manage' | 'quarantine:write';

export const managementPermissionKey = 'meridian:management-permission';

export const Authorize = (permission: ManagementPermission) =>
  SetMetadata(managementPermissionKey, permission);

export const authorizedByTokenKey = 'meridian:authorized-by-token';

export const AuthorizedByToken = () => SetMetadata(authorizedByTokenKey, true);
