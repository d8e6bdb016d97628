/**
 * Repository-scoped tokens (ACR's): a name to log in with, a scope map saying what it may
 * do, up to two passwords (each generated alone, optionally expiring, shown once), and a
 * status. Disabling a token refuses its logins at once and its refresh tokens with them;
 * regenerating a password or deleting the token revokes the refresh tokens it opened.
 */
import { Injectable } from '@nestjs/common';
import {
  type GeneratedPassword,
  type PasswordSlot,
  RegistryError,
  type TokenStatus,
  type TokenView,
} from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { revokeRefreshTokens } from '../access-tokens/refresh-tokens';
import type { TokenRecord } from '../records/auth-records';
import {
  AuthRecordsRepository,
  type AuthRecordsTransaction,
} from '../records/auth-records.repository';
import { assertLoginNameFree, unknown } from '../records/name-checks';
import { SecretHasher } from '../secrets/secret-hasher';
import { passwordInfo, withPassword } from '../secrets/stored-passwords';

export interface TokenPut {
  name: string;
  scopeMap: string;
  status?: TokenStatus;
}

export interface TokenUpdate {
  name: string;
  scopeMap?: string;
  status?: TokenStatus;
}

@Injectable()
export class RepositoryTokensService {
  constructor(
    private readonly records: AuthRecordsRepository,
    private readonly hasher: SecretHasher,
  ) {}

  async get(name: string): Promise<TokenView> {
    const token = await this.records.get('token', name);
    if (!token) throw unknown('token', name);
    return viewOf(token);
  }

  async list(): Promise<TokenView[]> {
    return (await this.records.list('token')).map(viewOf);
  }

  /** Creates the token (without passwords) or rebinds and re-enables it. */
  async put(
    request: TokenPut,
    origin: EventOrigin,
  ): Promise<{ token: TokenView; created: boolean }> {
    return this.records.transaction(async (tx) => {
      await assertScopeMap(tx, request.scopeMap);
      const existing = await tx.get('token', request.name);
      const now = new Date().toISOString();
      if (!existing) await assertLoginNameFree(tx, request.name, 'service-principal');
      const token: TokenRecord = {
        name: request.name,
        scopeMap: request.scopeMap,
        status: request.status ?? existing?.status ?? 'enabled',
        passwords: existing?.passwords ?? [],
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await tx.write('token', request.name, token, origin);
      if (token.status === 'disabled') await revokeRefreshTokens(tx, 'token', token.name, origin);
      return { token: viewOf(token), created: existing === undefined };
    });
  }

  async update(request: TokenUpdate, origin: EventOrigin): Promise<TokenView> {
    return this.records.transaction(async (tx) => {
      const existing = await tx.get('token', request.name);
      if (!existing) throw unknown('token', request.name);
      if (request.scopeMap) await assertScopeMap(tx, request.scopeMap);
      const token: TokenRecord = {
        ...existing,
        ...(request.scopeMap ? { scopeMap: request.scopeMap } : {}),
        ...(request.status ? { status: request.status } : {}),
        updatedAt: new Date().toISOString(),
      };
      await tx.write('token', request.name, token, origin);
      if (token.status === 'disabled') await revokeRefreshTokens(tx, 'token', token.name, origin);
      return viewOf(token);
    });
  }

  async delete(name: string, origin: EventOrigin): Promise<void> {
    await this.records.transaction(async (tx) => {
      if (!(await tx.get('token', name))) throw unknown('token', name);
      await tx.write('token', name, null, origin);
      await revokeRefreshTokens(tx, 'token', name, origin);
    });
  }

  /** Replaces the password of one slot; the refresh tokens the old one opened are revoked. */
  async generatePassword(
    name: string,
    slot: PasswordSlot,
    expiresAt: string | undefined,
    origin: EventOrigin,
  ): Promise<{ name: string; password: GeneratedPassword }> {
    if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) {
      throw new RegistryError('REQUEST_INVALID', 'expiry must be in the future', { expiresAt });
    }
    return this.records.transaction(async (tx) => {
      const token = await tx.get('token', name);
      if (!token) throw unknown('token', name);
      const value = this.hasher.generate();
      const createdAt = new Date().toISOString();
      const expiry = expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {};
      const stored = { slot, hash: await this.hasher.hash(value), createdAt, ...expiry };
      await tx.write(
        'token',
        name,
        { ...withPassword(token, stored), updatedAt: createdAt },
        origin,
      );
      await revokeRefreshTokens(tx, 'token', name, origin, slot);
      return { name, password: { ...passwordInfo(stored), value } };
    });
  }
}

async function assertScopeMap(tx: AuthRecordsTransaction, name: string): Promise<void> {
  if (!(await tx.get('scope-map', name))) {
    throw new RegistryError('REQUEST_INVALID', `scope map ${name} does not exist`, {
      scopeMap: name,
    });
  }
}

function viewOf(token: TokenRecord): TokenView {
  return {
    name: token.name,
    scopeMap: token.scopeMap,
    status: token.status,
    passwords: token.passwords.map(passwordInfo),
    createdAt: token.createdAt,
    updatedAt: token.updatedAt,
  };
}
