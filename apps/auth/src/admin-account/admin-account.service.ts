/**
 * The admin account (ACR's): disabled by default; when enabled, user name `admin` and two
 * passwords, each renewable on its own (`credential show` / `credential renew`). Enabling
 * an account that has no passwords generates both; a generated password is shown once. At
 * start, MERIDIAN_ADMIN_PASSWORD (the launcher's) enables the account with that password.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AdminAccountView, GeneratedPassword, PasswordSlot } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { revokeRefreshTokens } from '../access-tokens/refresh-tokens';
import { type AuthConfig, authConfigToken } from '../config';
import { adminUsername } from '../logins/credentials.service';
import { type AdminRecord, type StoredPassword, adminRecordId } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { SecretHasher } from '../secrets/secret-hasher';
import { passwordInfo, withPassword } from '../secrets/stored-passwords';

const disabled: AdminRecord = { enabled: false, username: adminUsername, passwords: [] };
const slots: readonly PasswordSlot[] = [1, 2];

@Injectable()
export class AdminAccountService implements OnApplicationBootstrap {
  constructor(
    private readonly records: AuthRecordsRepository,
    private readonly hasher: SecretHasher,
    @Inject(authConfigToken) private readonly config: AuthConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminPassword) await this.bootstrap(this.config.adminPassword);
  }

  async show(): Promise<AdminAccountView> {
    return viewOf((await this.records.get('admin', adminRecordId)) ?? disabled);
  }

  async update(
    enabled: boolean,
    origin: EventOrigin,
  ): Promise<AdminAccountView & { generated?: GeneratedPassword[] }> {
    return this.records.transaction(async (tx) => {
      const account = (await tx.get('admin', adminRecordId)) ?? disabled;
      const generated: GeneratedPassword[] = [];
      let passwords = account.passwords;
      if (enabled && passwords.length === 0) {
        for (const slot of slots) {
          const made = await this.makePassword(slot);
          generated.push(made.generated);
          passwords = [...passwords, made.stored];
        }
      }
      const updated: AdminRecord = { ...account, enabled, passwords };
      await tx.write('admin', adminRecordId, updated, origin);
      if (!enabled) await revokeRefreshTokens(tx, 'admin', adminUsername, origin);
      return { ...viewOf(updated), ...(generated.length > 0 ? { generated } : {}) };
    });
  }

  /** Replaces one password and revokes the refresh tokens it opened. */
  async renew(
    slot: PasswordSlot,
    origin: EventOrigin,
  ): Promise<{ username: string; password: GeneratedPassword }> {
    return this.records.transaction(async (tx) => {
      const account = (await tx.get('admin', adminRecordId)) ?? disabled;
      const made = await this.makePassword(slot);
      await tx.write('admin', adminRecordId, withPassword(account, made.stored), origin);
      await revokeRefreshTokens(tx, 'admin', adminUsername, origin, slot);
      return { username: account.username, password: made.generated };
    });
  }

  /**
   * Enables the account with `password` as its first password, unless it already is: a
   * restart with the same password writes nothing and announces nothing.
   */
  private async bootstrap(password: string): Promise<void> {
    const origin = { actor: { name: 'MERIDIAN_ADMIN_PASSWORD' } };
    await this.records.transaction(async (tx) => {
      const account = (await tx.get('admin', adminRecordId)) ?? disabled;
      const first = account.passwords.find((stored) => stored.slot === 1);
      if (account.enabled && first && (await this.hasher.verify(first.hash, password))) return;
      const stored: StoredPassword = {
        slot: 1,
        hash: await this.hasher.hash(password),
        createdAt: new Date().toISOString(),
      };
      await tx.write(
        'admin',
        adminRecordId,
        { ...withPassword(account, stored), enabled: true },
        origin,
      );
      await revokeRefreshTokens(tx, 'admin', adminUsername, origin, 1);
      this.logger.info(
        { username: account.username },
        'admin account enabled from the environment',
      );
    });
  }

  private async makePassword(
    slot: PasswordSlot,
  ): Promise<{ stored: StoredPassword; generated: GeneratedPassword }> {
    const value = this.hasher.generate();
    const createdAt = new Date().toISOString();
    return {
      stored: { slot, hash: await this.hasher.hash(value), createdAt },
      generated: { slot, createdAt, value },
    };
  }
}

function viewOf(account: AdminRecord): AdminAccountView {
  return {
    enabled: account.enabled,
    username: account.username,
    passwords: account.passwords.map(passwordInfo),
  };
}
