/**
 * Who a user name and password belong to, and what that identity may do. A user name names
 * the admin account (`admin`), a service principal (its id) or a repository-scoped token (its
 * name); the auth service refuses to create a service principal and a token of one name.
 * Every login passes the failed-login bound first; an unknown name costs as much time as a
 * wrong password, so answers do not tell which names exist.
 */
import { Injectable } from '@nestjs/common';
import {
  type Identity,
  type PasswordSlot,
  RegistryError,
  type RoleName,
} from '@meridian/contracts';
import { type Rights, noRights, rightsOfRoles, rightsOfScopeMap } from '../access/access-rights';
import {
  type RefreshTokenRecord,
  type StoredPassword,
  adminRecordId,
} from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { SecretHasher } from '../secrets/secret-hasher';
import { type LoginAttempt, LoginThrottle } from './login-throttle';

export const adminUsername = 'admin';

export interface Authenticated {
  identity: Identity;
  rights: Rights;
  /** absent for the anonymous identity, which gets no refresh token */
  subjectKind?: RefreshTokenRecord['subjectKind'];
  /** the password that matched (admin account and tokens) */
  slot?: PasswordSlot;
  /** when that password expires: no access token outlives it */
  expiresAt?: string;
}

@Injectable()
export class CredentialsService {
  constructor(
    private readonly records: AuthRecordsRepository,
    private readonly hasher: SecretHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  /** UNAUTHORIZED for wrong credentials, TOOMANYREQUESTS past the failed-login bound. */
  async authenticate(attempt: LoginAttempt & { password: string }): Promise<Authenticated> {
    await this.throttle.check(attempt);
    const found = await this.verify(attempt.username, attempt.password);
    if (!found) {
      await this.throttle.failed(attempt);
      throw new RegistryError('UNAUTHORIZED', 'invalid user name or password');
    }
    await this.throttle.succeeded(attempt);
    return found;
  }

  /**
   * The identity a refresh token stands for, as it is now: undefined when it was deleted or
   * disabled, or the password it logged in with was replaced or has expired.
   */
  async resolve(refresh: RefreshTokenRecord): Promise<Authenticated | undefined> {
    switch (refresh.subjectKind) {
      case 'admin': {
        const admin = await this.records.get('admin', adminRecordId);
        const password = admin?.enabled ? live(admin.passwords, refresh.slot) : undefined;
        return password ? this.admin(password) : undefined;
      }
      case 'service-principal': {
        const principal = await this.records.get('service-principal', refresh.subject);
        return principal ? servicePrincipal(principal.id, principal.roles) : undefined;
      }
      case 'token': {
        const token = await this.records.get('token', refresh.subject);
        const password =
          token?.status === 'enabled' ? live(token.passwords, refresh.slot) : undefined;
        return token && password ? this.token(token.name, token.scopeMap, password) : undefined;
      }
    }
  }

  private async verify(username: string, password: string): Promise<Authenticated | undefined> {
    if (username === adminUsername) {
      const admin = await this.records.get('admin', adminRecordId);
      if (!admin?.enabled) return this.hasher.verifyNothing(password).then(() => undefined);
      const matched = await this.matching(admin.passwords, password);
      return matched ? this.admin(matched) : undefined;
    }
    const principal = await this.records.get('service-principal', username);
    if (principal) {
      const matches = await this.hasher.verify(principal.secretHash, password);
      return matches ? servicePrincipal(principal.id, principal.roles) : undefined;
    }
    const token = await this.records.get('token', username);
    if (token?.status === 'enabled') {
      const matched = await this.matching(token.passwords, password);
      return matched ? this.token(token.name, token.scopeMap, matched) : undefined;
    }
    await this.hasher.verifyNothing(password);
    return undefined;
  }

  /** The live (unexpired) password the given one matches. */
  private async matching(
    passwords: readonly StoredPassword[],
    password: string,
  ): Promise<StoredPassword | undefined> {
    for (const stored of passwords.filter((candidate) => !expired(candidate))) {
      if (await this.hasher.verify(stored.hash, password)) return stored;
    }
    return undefined;
  }

  private admin(password: StoredPassword): Authenticated {
    return {
      identity: { kind: 'admin', name: adminUsername, roles: ['Owner'] },
      rights: rightsOfRoles(['Owner']),
      subjectKind: 'admin',
      slot: password.slot,
    };
  }

  private async token(
    name: string,
    scopeMapName: string,
    password: StoredPassword,
  ): Promise<Authenticated> {
    const scopeMap = await this.records.get('scope-map', scopeMapName);
    return {
      identity: { kind: 'token', name, roles: [] },
      // a token whose scope map was deleted (in another region, say) may do nothing
      rights: scopeMap ? rightsOfScopeMap(scopeMap.rules) : noRights,
      subjectKind: 'token',
      slot: password.slot,
      ...(password.expiresAt ? { expiresAt: password.expiresAt } : {}),
    };
  }
}

function servicePrincipal(id: string, roles: RoleName[]): Authenticated {
  return {
    identity: { kind: 'service-principal', name: id, roles },
    rights: rightsOfRoles(roles),
    subjectKind: 'service-principal',
  };
}

function expired(password: StoredPassword): boolean {
  return password.expiresAt !== undefined && Date.parse(password.expiresAt) <= Date.now();
}

function live(
  passwords: readonly StoredPassword[],
  slot: PasswordSlot | undefined,
): StoredPassword | undefined {
  const password = passwords.find((candidate) => candidate.slot === slot);
  return password && !expired(password) ? password : undefined;
}
