/**
 * Secrets that argon2 verified a moment ago, so that the same client logging in again (docker
 * and kubelet ask for a token per repository and per pull, each time with the same password)
 * costs a keyed hash instead of tens of milliseconds of argon2.
 *
 * What is kept is an HMAC, under a key made at start and never leaving this process, of the
 * stored hash together with the secret, never the secret. A password replaced, removed or
 * rotated has another stored hash and so misses; whether a password is expired or its account
 * disabled is decided by the caller at every login, outside this cache. Only successes are
 * kept: every wrong guess still pays the whole argon2 cost, so guessing is no cheaper. An entry
 * lives a few minutes, and the oldest go first past a bound.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface VerifiedSecretsOptions {
  /** how long a verification is remembered */
  ttlMs?: number;
  /** how many are remembered at most */
  capacity?: number;
  now?: () => number;
}

export class VerifiedSecrets {
  private readonly key = randomBytes(32);
  private readonly expiries = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor({
    ttlMs = 5 * 60_000,
    capacity = 1_024,
    now = Date.now,
  }: VerifiedSecretsOptions = {}) {
    this.ttlMs = ttlMs;
    this.capacity = capacity;
    this.now = now;
  }

  /** Whether `secret` was verified against `hash` within the last `ttlMs`. */
  has(hash: string, secret: string): boolean {
    const entry = this.entryOf(hash, secret);
    const expiry = this.expiries.get(entry);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(entry);
    return false;
  }

  /** Remembers that `secret` matched `hash`. */
  remember(hash: string, secret: string): void {
    const entry = this.entryOf(hash, secret);
    // re-inserted at the end: the Map's order is the order of expiry
    this.expiries.delete(entry);
    this.expiries.set(entry, this.now() + this.ttlMs);
    for (const oldest of this.expiries.keys()) {
      if (this.expiries.size <= this.capacity) break;
      this.expiries.delete(oldest);
    }
  }

  get size(): number {
    return this.expiries.size;
  }

  private entryOf(hash: string, secret: string): string {
    // length-prefixed, so no two (hash, secret) pairs share an input
    return createHmac('sha256', this.key)
      .update(`${hash.length}:${hash}`)
      .update(secret)
      .digest('base64url');
  }
}
