/**
 * Rate limits failed logins per identity and per client address. A login is refused with
 * TOOMANYREQUESTS (detail `{ retryAfterSeconds }`, which the gateway turns into
 * `Retry-After`) before its password is even checked while either key is past the bound,
 * so guessing stops there. A success forgets the identity's failures, not the address's.
 */
import { Inject, Injectable } from '@nestjs/common';
import { RegistryError } from '@meridian/contracts';
import type { AuthConfig } from '../config';
import { LoginFailuresRepository } from './login-failures.repository';
import { type ThrottlePolicy, throttleVerdict } from './throttle-verdict';

export interface LoginAttempt {
  username: string;
  clientAddr?: string;
}

export const throttlePolicyToken = Symbol('ThrottlePolicy');

export function throttlePolicyOf(config: AuthConfig): ThrottlePolicy {
  return { limit: config.loginFailureLimit, windowSeconds: config.loginFailureWindowSeconds };
}

@Injectable()
export class LoginThrottle {
  constructor(
    private readonly failures: LoginFailuresRepository,
    @Inject(throttlePolicyToken) private readonly policy: ThrottlePolicy,
  ) {}

  /** Throws TOOMANYREQUESTS while the identity or the address is past the bound. */
  async check(attempt: LoginAttempt): Promise<void> {
    const { now, byKey } = await this.failures.recent(keysOf(attempt), this.policy.windowSeconds);
    const waits = [...byKey.values()].flatMap(
      (failures) => throttleVerdict(failures, now, this.policy) ?? [],
    );
    if (waits.length === 0) return;
    const retryAfterSeconds = Math.max(...waits);
    throw new RegistryError('TOOMANYREQUESTS', 'too many failed logins: try again later', {
      retryAfterSeconds,
    });
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    await this.failures.record(keysOf(attempt), this.policy.windowSeconds);
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.failures.clear(identityKey(attempt.username));
  }
}

function identityKey(username: string): string {
  return `identity:${username}`;
}

function keysOf({ username, clientAddr }: LoginAttempt): string[] {
  return clientAddr ? [identityKey(username), `addr:${clientAddr}`] : [identityKey(username)];
}
