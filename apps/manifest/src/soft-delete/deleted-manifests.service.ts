/**
 * The manifests this region deleted and keeps restorable (soft delete), listed and restored.
 *
 * A restore is an ordinary push of the stored bytes (ManifestsService.put), with the tags
 * the manifest had unless one was written since the delete: stamped after the delete and
 * those tags' tombstones, it announces `manifest.pushed.v1` and `tag.updated.v1` like any
 * push, so peers apply it over their tombstones, webhooks fire and the scan runs. Storing
 * the manifest again removes its restorable copy (a trigger), here and in each region the
 * push reaches.
 */
import { Injectable } from '@nestjs/common';
import {
  type DeletedManifest,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  type softDeleteRpc,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { ManifestsService } from '../manifests/manifests.service';
import { pageRows, rowsToRead } from '../paging/page-rows';
import { SoftDeleteRepository } from './soft-delete.repository';

type List = typeof softDeleteRpc.listDeleted;
type Restore = typeof softDeleteRpc.restore;

@Injectable()
export class DeletedManifestsService {
  constructor(
    private readonly softDelete: SoftDeleteRepository,
    private readonly manifests: ManifestsService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async list({ repository, n, last }: RpcRequest<List>): Promise<RpcResponse<List>> {
    const rows = await this.softDelete.list(repository, last, rowsToRead(n));
    if (rows.length === 0 && !(await this.softDelete.known(repository))) {
      throw unknownRepository(repository);
    }
    const page = pageRows(rows, n);
    const manifests: DeletedManifest[] = page.items.map((row) => ({
      digest: row.digest,
      mediaType: row.mediaType,
      size: row.size,
      tags: row.tags,
      deletedAt: row.deletedAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    }));
    return { repository, manifests, more: page.more };
  }

  /**
   * MANIFEST_UNKNOWN (NAME_UNKNOWN for a repository never heard of) when nothing of that
   * digest is restorable here; a push's refusals otherwise (a lock, a blob or child
   * manifest gone).
   */
  async restore(
    { repository, digest }: RpcRequest<Restore>,
    context: RpcContext,
  ): Promise<RpcResponse<Restore>> {
    const found = await this.softDelete.find(repository, digest);
    if (found === undefined) {
      if (!(await this.softDelete.known(repository))) throw unknownRepository(repository);
      throw new RegistryError('MANIFEST_UNKNOWN', 'no restorable manifest of that digest', {
        repository,
        digest,
      });
    }
    const pushed = await this.manifests.put(
      {
        repository,
        reference: digest,
        contentType: found.mediaType,
        body: Buffer.from(found.body).toString('base64'),
      },
      context,
      { tags: found.tags, deletedHlc: found.deletedHlc },
    );
    const restored = pushed.restored ?? { tags: [], skippedTags: [] };
    this.logger.info({ repository, digest, ...restored }, 'manifest restored');
    return {
      repository,
      digest: pushed.digest,
      mediaType: pushed.mediaType,
      size: pushed.size,
      tags: restored.tags,
      skippedTags: restored.skippedTags,
    };
  }
}

function unknownRepository(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
    name: repository,
  });
}
