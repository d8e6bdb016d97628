/** Registry-wide auth settings: anonymous pull (off unless turned on). */
import { Injectable } from '@nestjs/common';
import type { AuthSettings } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { settingsRecordId } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';

const defaults: AuthSettings = { anonymousPull: false };

@Injectable()
export class SettingsService {
  constructor(private readonly records: AuthRecordsRepository) {}

  async get(): Promise<AuthSettings> {
    return (await this.records.get('settings', settingsRecordId)) ?? defaults;
  }

  async put(settings: AuthSettings, origin: EventOrigin): Promise<AuthSettings> {
    await this.records.transaction(async (tx) => {
      await tx.get('settings', settingsRecordId);
      await tx.write('settings', settingsRecordId, settings, origin);
    });
    return settings;
  }
}
