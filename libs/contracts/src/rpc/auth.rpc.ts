/**
 * RPCs of the auth service. The gateway serves `/oauth2/token` through `token`, checks
 * management callers with `authenticate`, and verifies access tokens itself with the keys
 * from `keys` (cached; no round trip per request). Replication applies other regions'
 * records with `apply`. The management API's RPCs (identities, roles, scope maps, tokens,
 * settings) are defined below them.
 */
import { z } from 'zod';
import { defineRpc } from '../define';
import { AuthRecordKind, authChanged } from '../events/auth.events';

/** One entry of a token's `access` claim (Docker token spec). */
export const AccessEntry = z.object({
  /** `repository` or `registry` */
  type: z.string(),
  /** a repository name, or `catalog` */
  name: z.string(),
  /** `pull`, `push`, `delete`, `*` */
  actions: z.array(z.string()),
});
export type AccessEntry = z.infer<typeof AccessEntry>;

/** Who is asking, as the auth service knows them. */
export const Identity = z.object({
  kind: z.enum(['admin', 'service-principal', 'token', 'anonymous']),
  /** the user name, service principal id or token name */
  name: z.string(),
  /** registry roles (AcrPull, AcrPush, …, Owner); scope-map tokens have none */
  roles: z.array(z.string()),
});
export type Identity = z.infer<typeof Identity>;

/** A public signing key (JWK, ES256 or RS256) that verifies access tokens. */
export const PublicJwk = z
  .object({ kid: z.string(), kty: z.string(), alg: z.string() })
  .catchall(z.unknown());
export type PublicJwk = z.infer<typeof PublicJwk>;

export const authRpc = {
  /**
   * Issues an access token for the asked scopes (`repository:team/app:pull,push`,
   * `registry:catalog:*`), granting the intersection of what was asked and what the identity
   * may do. No credentials: the anonymous identity (pull only, and only when anonymous pull
   * is on). UNAUTHORIZED for bad credentials, a disabled or expired identity or a revoked
   * refresh token; TOOMANYREQUESTS (detail `{ retryAfterSeconds }`) past the failed-login bound.
   */
  token: defineRpc({
    service: 'auth',
    verb: 'token',
    request: z.object({
      credentials: z
        .discriminatedUnion('grant', [
          z.object({ grant: z.literal('password'), username: z.string(), password: z.string() }),
          z.object({ grant: z.literal('refresh_token'), refreshToken: z.string() }),
        ])
        .optional(),
      /** the registry name the token is for (`aud`) */
      service: z.string(),
      scopes: z.array(z.string()).max(100),
      /** issue a refresh token too (docker login's POST with `access_type=offline`) */
      offline: z.boolean().default(false),
      /** the client's address, for the failed-login bound */
      clientAddr: z.string().optional(),
    }),
    response: z.object({
      accessToken: z.string(),
      expiresIn: z.number().int().positive(),
      issuedAt: z.iso.datetime(),
      refreshToken: z.string().optional(),
      identity: Identity,
      access: z.array(AccessEntry),
    }),
  }),
  /** Checks a user name and password (management API, Basic auth). UNAUTHORIZED / TOOMANYREQUESTS. */
  authenticate: defineRpc({
    service: 'auth',
    verb: 'authenticate',
    request: z.object({
      username: z.string(),
      password: z.string(),
      clientAddr: z.string().optional(),
    }),
    response: Identity,
  }),
  /**
   * Every key that verifies live tokens (all regions' current and retired-but-unexpired
   * keys), the issuer tokens carry, and whether anonymous pull is on.
   */
  keys: defineRpc({
    service: 'auth',
    verb: 'keys',
    request: z.object({}),
    response: z.object({
      issuer: z.string(),
      keys: z.array(PublicJwk),
      anonymousPull: z.boolean(),
    }),
  }),
  /** Applies another region's `auth.changed.v1` (idempotent; last writer by HLC wins). */
  apply: defineRpc({
    service: 'auth',
    verb: 'apply',
    request: z.object({ event: authChanged.schema }),
    response: z.object({ outcome: z.enum(['applied', 'superseded']) }),
  }),
} as const;

export { AuthRecordKind };
