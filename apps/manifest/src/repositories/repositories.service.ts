import { Injectable } from '@nestjs/common';
import { RegistryError, repositoryDeleted } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { deniedByLock, refusesRepositoryDelete } from '../locks/lock-rules';
import { pageRows, rowsToRead } from '../paging/page-rows';
import { RepositoriesRepository } from './repositories.repository';

export interface Catalog {
  repositories: string[];
  more: boolean;
}

@Injectable()
export class RepositoriesService {
  constructor(
    private readonly repositories: RepositoriesRepository,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Repository names in byte order, strictly after `last`; only those `repositories` match. */
  async catalog({
    n,
    last,
    repositories,
  }: {
    n?: number;
    last?: string;
    repositories?: string[];
  }): Promise<Catalog> {
    const page = pageRows(await this.repositories.list(last, rowsToRead(n), repositories), n);
    return { repositories: page.items, more: page.more };
  }

  /**
   * Deletes the repository with all its manifests and tags, announced by `repository.deleted.v1`,
   * and leaves a tombstone so no older write from another region brings it back.
   */
  async delete(repository: string, context: RpcContext): Promise<{ deletedManifests: number }> {
    const deletedManifests = await this.repositories.transaction(async (tx) => {
      const [, newest, locks] = await Promise.all([
        tx.lockRepository(repository),
        tx.newestWrite(repository),
        tx.locks(repository),
      ]);
      // stamped under the lock, after every write it removes; the tombstones go in before
      // the rows go, since they name each tag and manifest the delete removes
      if (newest !== undefined) this.outbox.observe(newest);
      const deleted = this.outbox.envelope(context);
      await tx.recordDelete(repository, deleted.hlc);
      await tx.keepRestorable(repository, deleted.hlc);
      const count = await tx.delete(repository);
      // thrown inside, so the tombstones roll back with it: nothing was deleted
      if (count === undefined) throw unknownRepository(repository);
      // refused while the repository or anything in it is delete- or write-locked (the
      // transaction then rolls the delete back)
      const refusal = refusesRepositoryDelete(locks.repository, locks.items);
      if (refusal !== undefined) throw deniedByLock(repository, refusal);
      await tx.forgetLocks(repository, deleted.hlc);
      await tx.emit(repositoryDeleted, { ...deleted, repository });
      return count;
    });
    this.logger.info({ repository, deletedManifests }, 'repository deleted');
    return { deletedManifests };
  }
}

function unknownRepository(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
    name: repository,
  });
}
