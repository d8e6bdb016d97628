/**
 * The `WWW-Authenticate` header of a 401: where to get a token (`realm`), for which
 * registry (`service`), and what to ask for (`scope`, several space-separated). A token
 * that was refused adds `error="invalid_token"`, one that grants too little
 * `error="insufficient_scope"` (RFC 6750), so a client knows not to retry the same token.
 */
import type { AccessEntry } from '@meridian/contracts';
import { formatScope } from './access-scope';

export type ChallengeError = 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  realm: string;
  service: string;
  scopes: readonly AccessEntry[];
  error?: ChallengeError;
}

export function bearerChallenge({ realm, service, scopes, error }: BearerChallenge): string {
  const params = [`realm="${quote(realm)}"`, `service="${quote(service)}"`];
  if (scopes.length > 0) params.push(`scope="${quote(scopes.map(formatScope).join(' '))}"`);
  if (error !== undefined) params.push(`error="${error}"`);
  return `Bearer ${params.join(',')}`;
}

/** The management API and the token endpoint take user name and password. */
export function basicChallenge(realm: string): string {
  return `Basic realm="${quote(realm)}",charset="UTF-8"`;
}

/** A quoted-string may not hold a bare `"` or `\` (RFC 9110). */
function quote(value: string): string {
  return value.replace(/["\\]/g, (character) => `\\${character}`);
}
