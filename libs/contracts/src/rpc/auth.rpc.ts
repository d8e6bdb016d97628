/**
 * RPCs of the auth service. The gateway serves `/oauth2/token` through `token`, checks
 * management callers with `authenticate`, and verifies access tokens itself with the keys
 * from `keys` (cached; no round trip per request). Replication applies other regions'
 * records with `apply`. The management API's RPCs (identities, roles, scope maps, tokens,
 * settings) are defined below them.
 */
import { z } from 'zod';
import { defineRpc } from '../define';
import { ApplyOutcome } from '../hlc';
import { AuthRecordKind, authChanged } from '../events/auth.events';

/** One entry of a token's `access` claim (Docker token spec). */
export const AccessEntry = z.object({
  /** `repository` or `registry` */
  type: z.string(),
  /** a repository name, or `catalog` */
  name: z.string(),
  /** `pull`, `push`, `delete`, `metadata_read`, `metadata_write`, `*` */
  actions: z.array(z.string()),
  /**
   * On `registry:catalog` only: the repository patterns (`team-a/*`, `app`) the catalog lists
   * for a repository-scoped caller (a scope-map token); absent, it lists every repository.
   */
  repositories: z.array(z.string()).optional(),
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
    response: z.object({ outcome: ApplyOutcome }),
  }),
} as const;

export { AuthRecordKind };

// ── The management API's RPCs (gateway `/api/v1/…` → auth). Every one that changes something
// writes an `auth.changed.v1` event; the caller's identity travels as the RPC context's actor.
// Generated secrets appear in a response once, at creation or renewal, and nowhere else.

/** The registry roles, with Azure Container Registry's meaning. */
export const RoleName = z.enum([
  'AcrPull',
  'AcrPush',
  'AcrDelete',
  'Reader',
  'Contributor',
  'Owner',
  'AcrQuarantineReader',
  'AcrQuarantineWriter',
]);
export type RoleName = z.infer<typeof RoleName>;

/** What a scope map may grant on the repositories it names. */
export const ScopeMapAction = z.enum([
  'content/read',
  'content/write',
  'content/delete',
  'metadata/read',
  'metadata/write',
]);
export type ScopeMapAction = z.infer<typeof ScopeMapAction>;

/** A service principal id, scope map name or token name: also what a client logs in with. */
export const IdentityName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/,
    'names are 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit',
  );

/** A repository name, or a prefix followed by `/*` (`team-a/*`: everything under team-a/). */
export const RepositoryPattern = z
  .string()
  .max(255)
  .regex(
    /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*(?:\/\*)?|\*)$/,
    'a repository name, or a repository prefix ending in /*, or *',
  );

/** One of the two passwords of the admin account or of a token (`1` or `2`). */
export const PasswordSlot = z.union([z.literal(1), z.literal(2)]);
export type PasswordSlot = z.infer<typeof PasswordSlot>;

export const PasswordInfo = z.object({
  slot: PasswordSlot,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
});
export type PasswordInfo = z.infer<typeof PasswordInfo>;

export const AdminAccountView = z.object({
  enabled: z.boolean(),
  username: z.string(),
  passwords: z.array(PasswordInfo),
});
export type AdminAccountView = z.infer<typeof AdminAccountView>;

/** A password as generated: its value is shown this once. */
export const GeneratedPassword = PasswordInfo.extend({ value: z.string() });
export type GeneratedPassword = z.infer<typeof GeneratedPassword>;

export const ServicePrincipalView = z.object({
  id: IdentityName,
  description: z.string().optional(),
  roles: z.array(RoleName),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ServicePrincipalView = z.infer<typeof ServicePrincipalView>;

export const ScopeMapRule = z.object({
  repository: RepositoryPattern,
  actions: z.array(ScopeMapAction).min(1),
});
export type ScopeMapRule = z.infer<typeof ScopeMapRule>;

export const ScopeMapView = z.object({
  name: IdentityName,
  description: z.string().optional(),
  rules: z.array(ScopeMapRule),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ScopeMapView = z.infer<typeof ScopeMapView>;

export const TokenStatus = z.enum(['enabled', 'disabled']);
export type TokenStatus = z.infer<typeof TokenStatus>;

export const TokenView = z.object({
  name: IdentityName,
  scopeMap: IdentityName,
  status: TokenStatus,
  passwords: z.array(PasswordInfo),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TokenView = z.infer<typeof TokenView>;

export const AuthSettings = z.object({ anonymousPull: z.boolean() });
export type AuthSettings = z.infer<typeof AuthSettings>;

export const SigningKeyView = z.object({
  kid: z.string(),
  region: z.string(),
  alg: z.string(),
  createdAt: z.iso.datetime(),
  /** set once a newer key of the region signs; the key verifies until `expiresAt` */
  retiredAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type SigningKeyView = z.infer<typeof SigningKeyView>;

const description = z.string().max(512).optional();
const byName = z.object({ name: IdentityName });
const byId = z.object({ id: IdentityName });
const nothing = z.object({});

function manage<Req extends z.ZodType, Res extends z.ZodType>(
  verb: string,
  request: Req,
  response: Res,
) {
  return defineRpc({ service: 'auth', verb, request, response });
}

export const authManagementRpc = {
  adminShow: manage('admin-show', nothing, AdminAccountView),
  /** Enabling an account without passwords generates both (returned this once). */
  adminUpdate: manage(
    'admin-update',
    z.object({ enabled: z.boolean() }),
    AdminAccountView.extend({ generated: z.array(GeneratedPassword).optional() }),
  ),
  /** Replaces one password and revokes the admin account's refresh tokens. */
  adminRenewPassword: manage(
    'admin-renew-password',
    z.object({ slot: PasswordSlot }),
    z.object({ username: z.string(), password: GeneratedPassword }),
  ),

  /** Creates the service principal (returning its secret once) or updates it. */
  servicePrincipalPut: manage(
    'service-principal-put',
    byId.extend({ description, roles: z.array(RoleName).optional() }),
    z.object({
      servicePrincipal: ServicePrincipalView,
      created: z.boolean(),
      secret: z.string().optional(),
    }),
  ),
  servicePrincipalGet: manage('service-principal-get', byId, ServicePrincipalView),
  servicePrincipalList: manage(
    'service-principal-list',
    nothing,
    z.object({ servicePrincipals: z.array(ServicePrincipalView) }),
  ),
  /** Deletes it and revokes its refresh tokens. */
  servicePrincipalDelete: manage('service-principal-delete', byId, nothing),
  servicePrincipalResetSecret: manage(
    'service-principal-reset-secret',
    byId,
    z.object({ id: IdentityName, secret: z.string() }),
  ),
  roleAssign: manage('role-assign', byId.extend({ role: RoleName }), ServicePrincipalView),
  roleUnassign: manage('role-unassign', byId.extend({ role: RoleName }), ServicePrincipalView),

  scopeMapPut: manage(
    'scope-map-put',
    byName.extend({ description, rules: z.array(ScopeMapRule).min(1).max(500) }),
    z.object({ scopeMap: ScopeMapView, created: z.boolean() }),
  ),
  scopeMapGet: manage('scope-map-get', byName, ScopeMapView),
  scopeMapList: manage('scope-map-list', nothing, z.object({ scopeMaps: z.array(ScopeMapView) })),
  /** Refused (DENIED) while a token uses the scope map. */
  scopeMapDelete: manage('scope-map-delete', byName, nothing),

  /** Creates the token (without passwords: generate them) or updates it. */
  tokenPut: manage(
    'token-put',
    byName.extend({ scopeMap: IdentityName, status: TokenStatus.optional() }),
    z.object({ token: TokenView, created: z.boolean() }),
  ),
  tokenGet: manage('token-get', byName, TokenView),
  tokenList: manage('token-list', nothing, z.object({ tokens: z.array(TokenView) })),
  tokenUpdate: manage(
    'token-update',
    byName.extend({ scopeMap: IdentityName.optional(), status: TokenStatus.optional() }),
    TokenView,
  ),
  /** Deletes it and revokes its refresh tokens. */
  tokenDelete: manage('token-delete', byName, nothing),
  /** Replaces one password (optionally expiring) and revokes the token's refresh tokens. */
  tokenGeneratePassword: manage(
    'token-generate-password',
    byName.extend({ slot: PasswordSlot, expiresAt: z.iso.datetime().optional() }),
    z.object({ name: IdentityName, password: GeneratedPassword }),
  ),

  settingsGet: manage('settings-get', nothing, AuthSettings),
  settingsPut: manage('settings-put', AuthSettings, AuthSettings),

  signingKeyList: manage('signing-key-list', nothing, z.object({ keys: z.array(SigningKeyView) })),
  /** A new key of this region signs from now on; the previous one verifies until its tokens expire. */
  signingKeyRotate: manage('signing-key-rotate', nothing, SigningKeyView),
} as const;
