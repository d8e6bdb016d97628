/**
 * `auth.apply`: another region's `auth.changed.v1`, applied here. The write with the highest
 * hybrid logical clock reading wins per (kind, id), ties being impossible (the reading ends
 * with its region); a deletion is a tombstone with its own reading, so a late, older event
 * cannot bring a record back. Applying the same event twice changes nothing. The record is
 * checked against its kind's schema first: a malformed one is refused, never stored.
 */
import { Injectable } from '@nestjs/common';
import {
  type ApplyOutcome,
  type AuthChanged,
  RegistryError,
  compareHlc,
} from '@meridian/contracts';
import { recordSchemas } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';

/** Last writer wins: the incoming write applies only over an older one (or none). */
export function settle(stored: string | undefined, incoming: string): ApplyOutcome {
  return stored === undefined || compareHlc(incoming, stored) > 0 ? 'applied' : 'superseded';
}

@Injectable()
export class ApplyAuthChangeService {
  constructor(private readonly records: AuthRecordsRepository) {}

  async apply(event: AuthChanged): Promise<ApplyOutcome> {
    const record = event.record === null ? null : this.parse(event);
    return this.records.transaction(async (tx) => {
      const outcome = settle(await tx.stamp(event.kind, event.id), event.hlc);
      if (outcome === 'applied') await tx.store(event.kind, event.id, record, event.hlc);
      return outcome;
    });
  }

  private parse(event: AuthChanged): Record<string, unknown> {
    const parsed = recordSchemas[event.kind].safeParse(event.record);
    if (!parsed.success) {
      throw new RegistryError('REQUEST_INVALID', `malformed ${event.kind} record`, {
        kind: event.kind,
        id: event.id,
        issues: parsed.error.issues.map((issue) => issue.path.join('.')),
      });
    }
    return parsed.data as Record<string, unknown>;
  }
}
