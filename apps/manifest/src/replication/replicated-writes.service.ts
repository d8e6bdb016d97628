/**
 * Applies another region's registry events to this region: the manifest service's half of
 * geo-replication (the replication service consumes the peers' streams, copies blobs, links
 * them through the blob service, then calls `manifest.apply`).
 *
 * Every event is settled by its hybrid logical clock reading, so all regions end the same
 * whatever order events arrive in and however often: a tag holds the newest write, a delete
 * removes only what was written before it and leaves a tombstone that keeps older writes
 * out, a newer push after a delete brings the manifest back. Applying writes no registry
 * event (it would travel back to its origin); it merges the event's clock reading into this
 * region's clock, so local writes made after it sort later.
 */
import { Injectable } from '@nestjs/common';
import {
  type ApplyOutcome,
  type ManifestDeleted,
  type ManifestPushed,
  RegistryError,
  type RepositoryDeleted,
  type RpcRequest,
  type TagDeleted,
  type TagUpdated,
  assertUnreachable,
  compareHlc,
  type manifestRpc,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { digestLike } from '@meridian/oci';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { BlobPresence } from '../manifests/blob-presence';
import { parseManifestBody } from '../manifests/parse-manifest-body';
import { requireBlobs, requireChildren } from '../manifests/require-references';
import { QuarantineService } from '../quarantine/quarantine.service';
import { ReplicatedWritesRepository } from './replicated-writes.repository';

export type ApplyRequest = RpcRequest<typeof manifestRpc.apply>;

@Injectable()
export class ReplicatedWritesService {
  constructor(
    private readonly manifests: ReplicatedWritesRepository,
    private readonly blobs: BlobPresence,
    private readonly outbox: Outbox,
    private readonly quarantine: QuarantineService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async apply(request: ApplyRequest, context: RpcContext): Promise<ApplyOutcome> {
    this.outbox.observe(request.event.hlc);
    const outcome = await this.settle(request, context);
    const { eventId, originRegion } = request.event;
    const repository = 'repository' in request.event ? request.event.repository : undefined;
    this.logger.debug(
      { kind: request.kind, eventId, originRegion, repository, outcome },
      'event applied',
    );
    return outcome;
  }

  private settle(request: ApplyRequest, context: RpcContext): Promise<ApplyOutcome> {
    switch (request.kind) {
      case 'manifest.pushed':
        return this.applyPush(request.event, context);
      case 'tag.updated':
        return this.applyTag(request.event);
      case 'tag.deleted':
        return this.applyTagDelete(request.event);
      case 'manifest.deleted':
        return this.applyManifestDelete(request.event);
      case 'repository.deleted':
        return this.applyRepositoryDelete(request.event);
      case 'quarantine.changed':
        return this.quarantine.applyChange(request.event);
      case 'quarantine-setting.changed':
        return this.quarantine.applySetting(request.event);
      default:
        return assertUnreachable(request);
    }
  }

  /**
   * Stores the manifest from the event's bytes once its blobs are linked here and its children
   * stored (MANIFEST_BLOB_UNKNOWN until then: the caller retries), and sets its tag if this
   * push is the tag's newest write. Superseded when the manifest or its repository was deleted
   * after the push.
   */
  private async applyPush(event: ManifestPushed, context: RpcContext): Promise<ApplyOutcome> {
    const { repository, digest, hlc } = event;
    const body = Buffer.from(event.body, 'base64');
    const actual = digestLike(digest, body);
    if (actual !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'manifest body does not match its digest', {
        digest,
        actual,
      });
    }
    // a push a delete superseded needs no blobs: they may never come
    if (await this.deletedAfter(repository, digest, hlc)) return 'superseded';
    const parsed = parseManifestBody(body, event.mediaType);
    const blobs = event.references.blobs.map((blob) => blob.digest);
    await requireBlobs(this.blobs, repository, blobs, context);
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      if (isNewer(await tx.newestDelete(repository, { digest }), hlc)) return 'superseded';
      await requireChildren(tx, repository, event.references.manifests);
      await tx.ensureRepository(repository);
      await tx.insertManifest({
        repository,
        digest,
        hlc,
        mediaType: parsed.mediaType,
        body,
        subject: parsed.subject?.digest,
        artifactType: parsed.artifactType,
        annotations: parsed.annotations,
        references: event.references,
      });
      if (event.quarantined) await tx.quarantineReplicatedPush(repository, digest, hlc);
      // the manifest is pullable by digest now (unless quarantined), whether or not a newer
      // write holds the tag
      if (event.tag !== undefined) await tx.setTagIfNewer(repository, event.tag, digest, hlc);
      return 'applied';
    });
  }

  /** MANIFEST_UNKNOWN while the manifest has not arrived (its push comes first on its stream). */
  private applyTag(event: TagUpdated): Promise<ApplyOutcome> {
    const { repository, tag, digest, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      if (isNewer(await tx.newestDelete(repository, { digest }), hlc)) return 'superseded';
      const [stored] = await tx.existingManifests(repository, [digest]);
      if (stored === undefined) {
        throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference: digest });
      }
      return (await tx.setTagIfNewer(repository, tag, digest, hlc)) ? 'applied' : 'superseded';
    });
  }

  private applyTagDelete(event: TagDeleted): Promise<ApplyOutcome> {
    const { repository, tag, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordDelete(repository, { kind: 'tag', tag }, hlc);
      return (await tx.deleteTagBefore(repository, tag, hlc)) ? 'applied' : 'superseded';
    });
  }

  private applyManifestDelete(event: ManifestDeleted): Promise<ApplyOutcome> {
    const { repository, digest, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordDelete(repository, { kind: 'digest', digest }, hlc);
      return (await tx.deleteManifestBefore(repository, digest, hlc)) ? 'applied' : 'superseded';
    });
  }

  private applyRepositoryDelete(event: RepositoryDeleted): Promise<ApplyOutcome> {
    const { repository, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordDelete(repository, { kind: 'repository' }, hlc);
      return (await tx.deleteRepositoryBefore(repository, hlc)) ? 'applied' : 'superseded';
    });
  }

  private deletedAfter(repository: string, digest: string, hlc: string): Promise<boolean> {
    return this.manifests.transaction(async (tx) =>
      isNewer(await tx.newestDelete(repository, { digest }), hlc),
    );
  }
}

function isNewer(reading: string | undefined, than: string): boolean {
  return reading !== undefined && compareHlc(reading, than) > 0;
}
