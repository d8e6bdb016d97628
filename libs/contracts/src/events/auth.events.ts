/**
 * Every change to identities, roles, scope maps, tokens, signing keys and registry auth
 * settings is one `auth.changed.v1` event carrying the whole record as it now is (or null
 * when it was deleted). Other regions apply it with `auth.apply` (last writer by HLC wins,
 * deletes are tombstones), and it is the audit trail. Secrets appear only as argon2 hashes;
 * signing keys only as public keys.
 */
import { z } from 'zod';
import { defineEvent } from '../define';
import { EventEnvelope } from './envelope';

export const AuthRecordKind = z.enum([
  /** the admin account: enabled, user name, two password hashes */
  'admin',
  /** a service principal: id, secret hash, roles */
  'service-principal',
  'scope-map',
  /** a repository-scoped token: scope map, password hashes, status, expiry */
  'token',
  /** a refresh token (hash only), so it can be revoked everywhere */
  'refresh-token',
  /** a public signing key (JWK) with its region and validity */
  'signing-key',
  /** registry-wide settings: anonymous pull, quarantine */
  'settings',
]);
export type AuthRecordKind = z.infer<typeof AuthRecordKind>;

export const authChanged = defineEvent({
  name: 'auth.changed.v1',
  schema: EventEnvelope.extend({
    kind: AuthRecordKind,
    /** the record's key within its kind (a name, an id, a key id) */
    id: z.string().min(1).max(256),
    /** the record as it now is; null when deleted */
    record: z.record(z.string(), z.unknown()).nullable(),
  }),
});
export type AuthChanged = z.infer<typeof authChanged.schema>;

export const authEvents = [authChanged] as const;
