/**
 * Secrets (passwords, service principal secrets) are generated here, stored only as argon2id
 * hashes and checked in constant time (argon2's verify compares the whole digest). The cost
 * is OWASP's recommendation for argon2id (19 MiB, 2 passes, 1 lane): a login costs tens of
 * milliseconds, a stolen hash a lot more to guess. A client logging in again with the secret
 * it just used is recognised without that cost (verified-secrets.ts).
 */
import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { VerifiedSecrets } from './verified-secrets';

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class SecretHasher {
  private decoy?: Promise<string>;
  private readonly verified = new VerifiedSecrets();

  /** A new secret: 32 random bytes, base64url (43 characters). */
  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, options);
  }

  /**
   * Whether `secret` is the one `hash` was made from. A match argon2 found a moment ago is
   * taken from `verified` (see verified-secrets.ts for why that is safe); a mismatch is
   * always computed in full.
   */
  async verify(hash: string, secret: string): Promise<boolean> {
    try {
      if (this.verified.has(hash, secret)) return true;
      const matches = await argon2.verify(hash, secret);
      if (matches) this.verified.remember(hash, secret);
      return matches;
    } catch {
      // a hash that is not argon2 matches nothing
      return false;
    }
  }

  /**
   * Spends the time of one verification against nothing, for a user name that does not
   * exist: the answer then takes as long as a wrong password's, and says nothing about
   * which names exist.
   */
  async verifyNothing(secret: string): Promise<false> {
    this.decoy ??= this.hash(this.generate());
    await this.verify(await this.decoy, secret);
    return false;
  }
}
