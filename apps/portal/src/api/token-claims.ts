/**
 * What the portal reads from an access token: the identity's `kind` and `roles` claims
 * (the auth service adds them; see apps/auth access-tokens.service.ts). The token is not
 * verified here and needs not be: these claims only choose which buttons to show, and the
 * registry refuses any request the identity may not make.
 */
export interface TokenClaims {
  kind: string;
  roles: string[];
}

/** The roles that may change the registry's state (the management API's `registry:write`). */
const changingRoles = ['Owner', 'Contributor'];

export function readTokenClaims(token: string): TokenClaims {
  const payload = token.split('.')[1];
  if (payload === undefined) return { kind: 'unknown', roles: [] };
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(
      atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')),
    );
    const kind = typeof json.kind === 'string' ? json.kind : 'unknown';
    const roles = Array.isArray(json.roles)
      ? json.roles.filter((role: unknown): role is string => typeof role === 'string')
      : [];
    return { kind, roles };
  } catch {
    return { kind: 'unknown', roles: [] };
  }
}

export function canChange(claims: TokenClaims): boolean {
  return claims.kind === 'admin' || claims.roles.some((role) => changingRoles.includes(role));
}

/** Who may manage identities, tokens and scope maps (`identities:manage`): Owners and the admin account. */
export function canManageIdentities(claims: TokenClaims): boolean {
  return claims.kind === 'admin' || claims.roles.includes('Owner');
}
