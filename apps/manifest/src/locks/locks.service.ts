/**
 * Lock changes made here: ACR's PATCH of a repository's, a tag's or a manifest's changeable
 * attributes. The patch is merged over the target's current set and the whole set recorded
 * and announced (`lock.changed.v1`), so a region applying the event needs nothing but it.
 */
import { Injectable } from '@nestjs/common';
import {
  type ChangeableAttributes,
  type ChangeableAttributesPatch,
  type LockTarget,
  RegistryError,
  lockChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { LocksRepository } from './locks.repository';
import type { TakenBack } from './take-back';

export interface UpdateAttributes {
  repository: string;
  target: LockTarget;
  attributes: ChangeableAttributesPatch;
}

@Injectable()
export class LocksService {
  constructor(
    private readonly locks: LocksRepository,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Sets some of the target's attributes; answers the whole set after the change.
   * NAME_UNKNOWN / MANIFEST_UNKNOWN when the target does not exist here.
   */
  async update(request: UpdateAttributes, context: RpcContext): Promise<ChangeableAttributes> {
    const { repository, target } = request;
    let settled: TakenBack[] = [];
    let reading = '';
    const attributes = await this.locks.transaction(async (tx) => {
      const [, newest, exists, current] = await Promise.all([
        tx.lockRepository(repository),
        tx.newestWrite(repository),
        tx.exists(repository, target),
        tx.attributesOf(repository, target),
      ]);
      if (!exists.repository) throw nameUnknown(repository);
      if (!exists.target) throw targetUnknown(repository, target);
      const merged = { ...current, ...request.attributes };
      // stamped under the repository's lock, after every write it could refuse
      if (newest !== undefined) this.outbox.observe(newest);
      const changed = this.outbox.envelope(context);
      await tx.recordLockChange(repository, target, merged, changed.hlc);
      // nothing here is newer than the change, but a change settles the same way wherever
      // it is applied (take-back.ts)
      settled = await tx.takeBackRefused(repository, target, changed.hlc);
      reading = changed.hlc;
      await tx.emit(lockChanged, {
        ...changed,
        repository,
        ...(target.kind === 'tag' ? { tag: target.tag } : {}),
        ...(target.kind === 'manifest' ? { digest: target.digest } : {}),
        attributes: merged,
      });
      return merged;
    });
    this.logger.info({ repository, target, attributes, reading }, 'lock changed');
    for (const write of settled) {
      this.logger.info({ repository, ...write, reading }, 'write settled by a lock');
    }
    return attributes;
  }
}

function nameUnknown(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
    name: repository,
  });
}

function targetUnknown(repository: string, target: LockTarget): RegistryError {
  return target.kind === 'tag'
    ? new RegistryError('MANIFEST_UNKNOWN', 'tag not known to registry', {
        name: repository,
        tag: target.tag,
      })
    : new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', {
        name: repository,
        ...(target.kind === 'manifest' ? { digest: target.digest } : {}),
      });
}
