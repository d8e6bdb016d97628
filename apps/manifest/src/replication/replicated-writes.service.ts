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
 *
 * Locks settle the same way. A push, tag update or tag delete that the locks in force at its
 * reading refuse is `superseded`; a lock change is recorded in the item's history and takes
 * back the writes newer than it that it refuses (locks/take-back.ts), which this region may
 * have applied before the change arrived. Manifest and repository deletes are applied
 * whatever lock is in force at their reading: their origin removed the bytes, so every region
 * converges only by removing them too.
 */
import { Injectable } from '@nestjs/common';
import {
  type ApplyOutcome,
  type LockChanged,
  type LockTarget,
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
import { refusesPush, refusesTagDelete, refusesTagWrite } from '../locks/lock-rules';
import type { TakenBack } from '../locks/take-back';
import { BlobPresence } from '../manifests/blob-presence';
import { parseManifestBody } from '../manifests/parse-manifest-body';
import { requireBlobs, requireChildren } from '../manifests/require-references';
import { QuarantineService } from '../quarantine/quarantine.service';
import { RetentionService } from '../retention/retention.service';
import { SoftDeleteService } from '../soft-delete/soft-delete.service';
import { ReplicatedWritesRepository } from './replicated-writes.repository';

export type ApplyRequest = RpcRequest<typeof manifestRpc.apply>;

@Injectable()
export class ReplicatedWritesService {
  constructor(
    private readonly manifests: ReplicatedWritesRepository,
    private readonly blobs: BlobPresence,
    private readonly outbox: Outbox,
    private readonly quarantine: QuarantineService,
    private readonly retention: RetentionService,
    private readonly softDelete: SoftDeleteService,
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
      case 'lock.changed':
        return this.applyLockChange(request.event);
      case 'quarantine.changed':
        return this.quarantine.applyChange(request.event);
      case 'quarantine-setting.changed':
        return this.quarantine.applySetting(request.event);
      case 'retention-setting.changed':
        return this.retention.applyPolicy(request.event);
      case 'soft-delete-setting.changed':
        return this.softDelete.applyPolicy(request.event);
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
    // a push a delete or a lock superseded needs no blobs: they may never come
    if (await this.supersededBeforeBlobs(event)) return 'superseded';
    const parsed = parseManifestBody(body, event.mediaType);
    const blobs = event.references.blobs.map((blob) => blob.digest);
    let settled: TakenBack[] = [];
    const outcome = await this.manifests.transaction(async (tx): Promise<ApplyOutcome> => {
      await tx.lockRepository(repository);
      // checked with the blobs held: garbage collection cannot take them away before commit
      await tx.holdBlobs(blobs);
      await requireBlobs(this.blobs, repository, blobs, context);
      if (event.tag !== undefined) await tx.recordTagWrite(repository, event.tag, hlc, digest);
      if (isNewer(await tx.newestDelete(repository, { digest }), hlc)) return 'superseded';
      const locks = await tx.locksAt(repository, { tag: event.tag }, hlc);
      if (refusesPush({ repository: locks.repository }) !== undefined) {
        await tx.recordPush(repository, digest, hlc);
        return 'superseded';
      }
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
      await tx.settleNewestPush(repository, digest);
      if (event.quarantined) await tx.quarantineReplicatedPush(repository, digest, hlc);
      // the manifest is pullable by digest now (unless quarantined), whether or not a newer
      // write or a lock on the tag keeps the tag
      if (event.tag !== undefined && refusesTagWrite(locks) === undefined) {
        await tx.setTagIfNewer(repository, event.tag, digest, hlc);
      }
      settled = await tx.settleTagsWaitingFor(repository, digest);
      return 'applied';
    });
    this.logSettled(repository, settled, hlc);
    return outcome;
  }

  /**
   * MANIFEST_UNKNOWN while the manifest has not arrived (its push comes first on its stream).
   * The tag's history keeps the write whatever is decided: a lock change arriving later
   * settles the tag by it.
   */
  private applyTag(event: TagUpdated): Promise<ApplyOutcome> {
    const { repository, tag, digest, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordTagWrite(repository, tag, hlc, digest);
      if (isNewer(await tx.newestDelete(repository, { digest }), hlc)) return 'superseded';
      if (refusesTagWrite(await tx.locksAt(repository, { tag }, hlc)) !== undefined) {
        return 'superseded';
      }
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
      await tx.recordTagWrite(repository, tag, hlc, null);
      if (refusesTagDelete(await tx.locksAt(repository, { tag }, hlc)) !== undefined) {
        return 'superseded';
      }
      await tx.recordDelete(repository, { kind: 'tag', tag }, hlc);
      await tx.forgetLocks(repository, { kind: 'tag', tag }, hlc);
      return (await tx.deleteTagBefore(repository, tag, hlc)) ? 'applied' : 'superseded';
    });
  }

  private applyManifestDelete(event: ManifestDeleted): Promise<ApplyOutcome> {
    const { repository, digest, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordDelete(repository, { kind: 'digest', digest }, hlc);
      await tx.forgetLocks(repository, { kind: 'digest', digest }, hlc);
      await tx.keepRestorable(repository, digest, hlc);
      return (await tx.deleteManifestBefore(repository, digest, hlc)) ? 'applied' : 'superseded';
    });
  }

  private applyRepositoryDelete(event: RepositoryDeleted): Promise<ApplyOutcome> {
    const { repository, hlc } = event;
    return this.manifests.transaction(async (tx) => {
      await tx.lockRepository(repository);
      await tx.recordDelete(repository, { kind: 'repository' }, hlc);
      await tx.forgetLocks(repository, { kind: 'repository' }, hlc);
      await tx.keepRestorable(repository, undefined, hlc);
      return (await tx.deleteRepositoryBefore(repository, hlc)) ? 'applied' : 'superseded';
    });
  }

  /**
   * Records the change in its target's history (superseded when a newer change of the target
   * holds its attributes already) and takes back the writes newer than it that it refuses.
   * A change older than a delete of the manifest or the repository it locks is superseded:
   * the delete removed the locks of what it removed, in every region.
   */
  private async applyLockChange(event: LockChanged): Promise<ApplyOutcome> {
    const { repository, hlc, attributes } = event;
    const target: LockTarget =
      event.tag !== undefined
        ? { kind: 'tag', tag: event.tag }
        : event.digest !== undefined
          ? { kind: 'manifest', digest: event.digest }
          : { kind: 'repository' };
    let settled: TakenBack[] = [];
    const outcome = await this.manifests.transaction(async (tx): Promise<ApplyOutcome> => {
      await tx.lockRepository(repository);
      const covering = target.kind === 'manifest' ? { digest: target.digest } : {};
      if (isNewer(await tx.newestDelete(repository, covering), hlc)) return 'superseded';
      const newest = await tx.recordLockChange(repository, target, attributes, hlc);
      settled = await tx.takeBackRefused(repository, target, hlc);
      return newest ? 'applied' : 'superseded';
    });
    this.logSettled(repository, settled, hlc);
    return outcome;
  }

  /**
   * Taken back or settled in silence: an event would travel to the region that made the
   * write, which settles it itself when the same events reach it (and a webhook there would
   * announce a change no user made). The log, after commit, says what changed and by which
   * reading.
   */
  private logSettled(repository: string, settled: TakenBack[], hlc: string): void {
    for (const write of settled) {
      this.logger.info({ repository, ...write, reading: hlc }, 'write settled by a lock');
    }
  }

  /** A push its manifest's or repository's delete, or its repository's lock, refuses. */
  private supersededBeforeBlobs(event: ManifestPushed): Promise<boolean> {
    const { repository, digest, hlc, tag } = event;
    return this.manifests.transaction(async (tx) => {
      if (isNewer(await tx.newestDelete(repository, { digest }), hlc)) {
        if (tag !== undefined) await tx.recordTagWrite(repository, tag, hlc, digest);
        return true;
      }
      const locks = await tx.locksAt(repository, {}, hlc);
      if (refusesPush({ repository: locks.repository }) === undefined) return false;
      // the histories keep the refused push, as when it is refused after its blobs
      await tx.recordPush(repository, digest, hlc);
      if (tag !== undefined) await tx.recordTagWrite(repository, tag, hlc, digest);
      return true;
    });
  }
}

function isNewer(reading: string | undefined, than: string): boolean {
  return reading !== undefined && compareHlc(reading, than) > 0;
}
