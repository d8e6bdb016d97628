/**
 * Private signing keys at rest. With MERIDIAN_SIGNING_KEY_SECRET set, a key is stored
 * sealed with AES-256-GCM under a key derived from that secret (HKDF-SHA256), so a copy of
 * the database alone cannot sign tokens; without it (only allowed when NATS and Postgres are
 * on loopback, see config.ts), keys are stored as plain JWKs, and sealed at the first start
 * that has the secret. A sealed key that cannot be opened (no secret, or another one) is an
 * error, never a silent skip.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

export interface SealedKey {
  sealed: { iv: string; tag: string; data: string };
}

export type StoredPrivateKey = JWK | SealedKey;

export class PrivateKeySealer {
  private readonly key?: Buffer;

  constructor(secret: string | undefined) {
    if (secret !== undefined) {
      this.key = Buffer.from(hkdfSync('sha256', secret, 'meridian-auth', 'signing-key-seal', 32));
    }
  }

  seal(jwk: JWK): StoredPrivateKey {
    if (!this.key) return jwk;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    return {
      sealed: {
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      },
    };
  }

  open(stored: StoredPrivateKey): JWK {
    if (!isSealed(stored)) return stored;
    if (!this.key) {
      throw new Error('the signing key is sealed: MERIDIAN_SIGNING_KEY_SECRET is needed to use it');
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(stored.sealed.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(stored.sealed.tag, 'base64'));
    try {
      const plain = Buffer.concat([
        decipher.update(Buffer.from(stored.sealed.data, 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as JWK;
    } catch {
      throw new Error('the signing key does not open with MERIDIAN_SIGNING_KEY_SECRET');
    }
  }
}

export function isSealed(stored: StoredPrivateKey): stored is SealedKey {
  return typeof (stored as Partial<SealedKey>).sealed === 'object';
}
