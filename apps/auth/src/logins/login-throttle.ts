/**
 * Bounds password guessing (throttle-verdict.ts holds the policy, docs/architecture.md says
 * why). A login is refused with TOOMANYREQUESTS (detail `{ retryAfterSeconds }`, which the
 * gateway turns into `Retry-After`) before its password is even checked, so guessing stops
 * there:
 * - while the identity's failures from this address are in backoff;
 * - while the address's failures over every identity, or the identity's over every address,
 *   are past their budget, unless this identity logged in from this address lately: an
 *   attacker elsewhere, or one spraying from a shared address, does not lock the real user
 *   out of the address it uses.
 * A success forgets the pair's failures and makes the pair known; the address's and the
 * identity's counts stay (a valid account of the attacker's own must not reset them).
 *
 * Each region counts in its own database; the limits are divided by the number of regions
 * (throttlePolicyOf), so the sum over all regions stays within the configured limit.
 */
import { Inject, Injectable } from '@nestjs/common';
import { RegistryError } from '@meridian/contracts';
import type { AuthConfig } from '../config';
import { LoginFailuresRepository } from './login-failures.repository';
import { type ThrottlePolicy, backoffWait, budgetWait } from './throttle-verdict';

export interface LoginAttempt {
  username: string;
  clientAddr?: string;
}

export const throttlePolicyToken = Symbol('ThrottlePolicy');

/** How long a failure counts against the budgets and the backoff. */
const failureMemorySeconds = 86_400;
/** How long a successful login keeps its address known for its identity. */
const knownAddressSeconds = 30 * 86_400;

export function throttlePolicyOf(config: AuthConfig): ThrottlePolicy {
  const regions = 1 + config.peers.length;
  // floor: the regions' shares add up to at most the configured limit
  const share = (limit: number) => Math.max(1, Math.floor(limit / regions));
  return {
    pairLimit: share(config.loginFailureLimit),
    maxWaitSeconds: config.loginFailureWindowSeconds,
    addressLimit: share(config.loginAddressFailureLimit),
    identityLimit: share(config.loginIdentityFailureLimit),
    memorySeconds: failureMemorySeconds,
    knownForSeconds: knownAddressSeconds,
  };
}

@Injectable()
export class LoginThrottle {
  constructor(
    private readonly failures: LoginFailuresRepository,
    @Inject(throttlePolicyToken) private readonly policy: ThrottlePolicy,
  ) {}

  /** Throws TOOMANYREQUESTS while the attempt may not be checked (see the top of the file). */
  async check(attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt);
    const { now, byKey } = await this.failures.recent(
      [keys.pair, keys.identity, keys.address],
      this.policy.memorySeconds,
    );
    const failuresOf = (key: string) => byKey.get(key) ?? [];
    const backoff = backoffWait(failuresOf(keys.pair), now, this.policy);
    if (backoff !== undefined) throw tooMany(backoff);
    const budgets = [
      budgetWait(
        failuresOf(keys.identity),
        now,
        this.policy.identityLimit,
        this.policy.memorySeconds,
      ),
      budgetWait(
        failuresOf(keys.address),
        now,
        this.policy.addressLimit,
        this.policy.memorySeconds,
      ),
    ].filter((wait) => wait !== undefined);
    if (budgets.length === 0) return;
    if (await this.failures.succeededWithin(keys.pair, this.policy.knownForSeconds)) return;
    throw tooMany(Math.max(...budgets));
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt);
    await this.failures.record([keys.pair, keys.identity, keys.address], this.policy.memorySeconds);
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt);
    await this.failures.clear(keys.pair);
    await this.failures.recordSuccess(keys.pair, this.policy.knownForSeconds);
  }
}

function tooMany(retryAfterSeconds: number): RegistryError {
  return new RegistryError('TOOMANYREQUESTS', 'too many failed logins: try again later', {
    retryAfterSeconds,
  });
}

/**
 * The counters' keys. An address holds no space and comes first, so `pair:<address> <name>`
 * is unambiguous whatever the name holds. A login without an address (none is known) counts
 * under the empty address.
 */
function keysOf({ username, clientAddr = '' }: LoginAttempt) {
  return {
    pair: `pair:${clientAddr} ${username}`,
    identity: `identity:${username}`,
    address: `addr:${clientAddr}`,
  };
}
