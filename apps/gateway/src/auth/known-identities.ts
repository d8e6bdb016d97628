/**
 * Identities the gateway names itself, without asking the auth service: the anonymous
 * caller (anonymous pull), and every caller while authentication is off by the operator's
 * choice (MERIDIAN_AUTH_MODE=off), who then acts as the registry's owner.
 */
import type { Identity } from '@meridian/contracts';

export const anonymousIdentity: Identity = Object.freeze({
  kind: 'anonymous',
  name: 'anonymous',
  roles: [],
}) as Identity;

export const authOffIdentity: Identity = Object.freeze({
  kind: 'admin',
  name: 'auth-off',
  roles: ['Owner'],
}) as Identity;
