/**
 * Secrets Meridian must use again, kept recoverable at rest: webhook signing secrets (under
 * MERIDIAN_WEBHOOK_SECRET_KEY) and the credential sets imports log in to upstream registries
 * with (under MERIDIAN_CREDENTIALS_SECRET_KEY). Sealed with AES-256-GCM; SHA-256 of the
 * variable's value is the key. The key is required unless NATS and Postgres are on this
 * machine's loopback (each service's config.ts); only there, without it, are secrets kept in
 * the clear (`plain:`), and the first start with a key seals them (`sealStored`). The sealed
 * form is what the database holds and what `webhook.changed.v1` carries to other regions, so
 * regions must share the variable.
 *
 *   aes-256-gcm:<iv>:<tag>:<ciphertext>   (base64url each)
 *   plain:<secret>
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class SecretBox {
  private readonly key?: Buffer;

  /** `keyVariable`: the variable the key comes from, named when a sealed secret cannot be opened. */
  constructor(
    secretKey: string | undefined,
    private readonly keyVariable = 'MERIDIAN_WEBHOOK_SECRET_KEY',
  ) {
    if (secretKey) this.key = createHash('sha256').update(secretKey).digest();
  }

  seal(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['aes-256-gcm', iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** A stored secret in the form to keep: a `plain:` one sealed when there is a key. */
  sealStored(stored: string): string {
    return this.key && stored.startsWith('plain:') ? this.seal(this.open(stored)) : stored;
  }

  /** Throws when the secret was sealed under another key or none is configured. */
  open(stored: string): string {
    if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
    const [scheme, iv, tag, sealed] = stored.split(':');
    if (scheme !== 'aes-256-gcm' || !iv || !tag || sealed === undefined)
      throw new Error('unrecognised sealed secret');
    if (!this.key) throw new Error(`the secret is sealed and ${this.keyVariable} is not set`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** A fresh secret (for a webhook created without one). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
