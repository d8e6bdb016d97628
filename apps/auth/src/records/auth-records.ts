/**
 * The shape of each kind of auth record: what the `records` table holds and what an
 * `auth.changed.v1` event carries. Secrets only as hashes, signing keys only as public JWKs.
 * Records from other regions are parsed with these schemas before they are stored.
 */
import {
  type AuthRecordKind,
  IdentityName,
  PasswordSlot,
  PublicJwk,
  RoleName,
  ScopeMapRule,
  TokenStatus,
} from '@meridian/contracts';
import { z } from 'zod';

const timestamp = z.iso.datetime();

export const StoredPassword = z.object({
  slot: PasswordSlot,
  hash: z.string(),
  createdAt: timestamp,
  expiresAt: timestamp.optional(),
});
export type StoredPassword = z.infer<typeof StoredPassword>;

export const AdminRecord = z.object({
  enabled: z.boolean(),
  username: z.string(),
  passwords: z.array(StoredPassword),
});
export type AdminRecord = z.infer<typeof AdminRecord>;

export const ServicePrincipalRecord = z.object({
  id: IdentityName,
  description: z.string().optional(),
  secretHash: z.string(),
  roles: z.array(RoleName),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ServicePrincipalRecord = z.infer<typeof ServicePrincipalRecord>;

export const ScopeMapRecord = z.object({
  name: IdentityName,
  description: z.string().optional(),
  rules: z.array(ScopeMapRule),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ScopeMapRecord = z.infer<typeof ScopeMapRecord>;

export const TokenRecord = z.object({
  name: IdentityName,
  scopeMap: IdentityName,
  status: TokenStatus,
  passwords: z.array(StoredPassword),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** Who a refresh token stands for; its id is the sha256 of the token. */
export const RefreshTokenRecord = z.object({
  subjectKind: z.enum(['admin', 'service-principal', 'token']),
  subject: z.string(),
  /** the password it was obtained with (admin account, tokens): renewing that one revokes it */
  slot: PasswordSlot.optional(),
  createdAt: timestamp,
  expiresAt: timestamp,
});
export type RefreshTokenRecord = z.infer<typeof RefreshTokenRecord>;

export const SigningKeyRecord = z.object({
  kid: z.string(),
  region: z.string(),
  alg: z.string(),
  publicJwk: PublicJwk,
  createdAt: timestamp,
  retiredAt: timestamp.optional(),
  expiresAt: timestamp.optional(),
});
export type SigningKeyRecord = z.infer<typeof SigningKeyRecord>;

export const SettingsRecord = z.object({ anonymousPull: z.boolean() });
export type SettingsRecord = z.infer<typeof SettingsRecord>;

export const recordSchemas = {
  admin: AdminRecord,
  'service-principal': ServicePrincipalRecord,
  'scope-map': ScopeMapRecord,
  token: TokenRecord,
  'refresh-token': RefreshTokenRecord,
  'signing-key': SigningKeyRecord,
  settings: SettingsRecord,
} as const satisfies Record<AuthRecordKind, z.ZodType>;

export type RecordOf<K extends AuthRecordKind> = z.infer<(typeof recordSchemas)[K]>;

/** The ids of the two single records. */
export const adminRecordId = 'admin';
export const settingsRecordId = 'registry';
