/**
 * The rules of manifests and tags: what a push must satisfy, what a read answers, what a
 * delete removes, and which events each change announces.
 *
 * One push is one write with one hybrid logical clock reading: `manifest.pushed.v1`, the
 * manifest and tag rows, `tag.updated.v1` and the origin's `replication.completed.v1` all
 * carry it, so every region settles concurrent writes of a tag the same way whichever event
 * it applies.
 *
 * Locks (locks/lock-rules.ts) are checked inside each write's transaction, under the
 * repository's lock, against the newest lock change this region knows, and the write is
 * stamped after it; a pull checks the read locks in the statement that finds the manifest.
 */
import { Injectable } from '@nestjs/common';
import {
  type EventEnvelope,
  type ManifestInfo,
  type QuarantineState,
  RegistryError,
  compareHlc,
  deletedHereDetail,
  manifestDeleted,
  manifestPushed,
  maxManifestBytes,
  quarantineChanged,
  replicationCompleted,
  tagDeleted,
  tagUpdated,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { digestLike, sha256Digest } from '@meridian/oci';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import {
  deniedByLock,
  refusesManifestDelete,
  refusesPull,
  refusesPush,
  refusesTagDelete,
} from '../locks/lock-rules';
import type { TakenBack } from '../locks/take-back';
import { BlobPresence } from './blob-presence';
import type { ManifestReferences, TagOrDigest } from './manifest-rows';
import { ManifestsRepository, type TagNow } from './manifests.repository';
import { parseManifestBody } from './parse-manifest-body';
import {
  MissingHere,
  requireBlobs,
  requireChildren,
  requireDeclaredSizes,
} from './require-references';

export interface PutManifest {
  repository: string;
  /** a tag or a digest */
  reference: string;
  contentType?: string;
  /** base64 */
  body: string;
}

export interface PutManifestResult extends ManifestInfo {
  subject?: string;
  /** what became of the tags a restore asked for */
  restored?: { tags: string[]; skippedTags: string[] };
}

/**
 * A restore (soft-delete/): the push of a deleted manifest's bytes also points the tags it
 * had back at it, each unless the tag was written after the delete (stamped `deletedHlc`),
 * which that newer write then keeps, or a lock refuses writing it.
 */
export interface RestoringTags {
  tags: string[];
  deletedHlc: string;
}

export interface GetManifest {
  repository: string;
  reference: string;
  includeBody: boolean;
}

export interface GetManifestResult extends ManifestInfo {
  /** base64, when asked for */
  body?: string;
  quarantine?: QuarantineState;
}

@Injectable()
export class ManifestsService {
  constructor(
    private readonly manifests: ManifestsRepository,
    private readonly blobs: BlobPresence,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async put(
    request: PutManifest,
    context: RpcContext,
    restoring?: RestoringTags,
  ): Promise<PutManifestResult> {
    const { repository } = request;
    const body = Buffer.from(request.body, 'base64');
    if (body.byteLength > maxManifestBytes) {
      throw new RegistryError('MANIFEST_TOO_LARGE', `manifest exceeds ${maxManifestBytes} bytes`, {
        size: body.byteLength,
        limit: maxManifestBytes,
      });
    }
    const parsed = parseManifestBody(body, request.contentType);
    const reference = toTagOrDigest(request.reference);
    // Pushed by digest, the manifest is named with the client's algorithm (sha256 or sha512);
    // pushed by tag, with the canonical sha256 (distribution-spec: the registry MAY use the
    // algorithm the client used).
    const digest =
      reference.kind === 'digest' ? digestLike(reference.digest, body) : sha256Digest(body);
    if (reference.kind === 'digest' && reference.digest !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'manifest digest does not match the reference', {
        reference: reference.digest,
        digest,
      });
    }
    const wanted = unique(parsed.blobs.filter((blob) => !blob.foreign).map((blob) => blob.digest));
    const children = unique(parsed.manifests.map((child) => child.digest));
    await this.fetchMissingChildren(repository, children, context);
    const tag = reference.kind === 'tag' ? reference.tag : undefined;

    let settled: TakenBack[] = [];
    let reading = '';
    let restored: PutManifestResult['restored'];
    const commit = (afterFetch: boolean) =>
      this.manifests.transaction(async (tx) => {
        const [, newest, locks, , newestOfRestored] = await Promise.all([
          tx.lockRepository(repository),
          tx.newestWrite(repository, { kind: 'image', digest, tag }),
          tx.locks(repository, { tag }),
          tx.ensureRepository(repository),
          restoring === undefined ? undefined : tx.newestTagWrites(repository, restoring.tags),
          // checked with the blobs held: garbage collection cannot take them away before commit
          tx.holdBlobs(wanted),
        ]);
        const refusal = refusesPush(locks);
        if (refusal !== undefined) throw deniedByLock(repository, refusal);
        const blobs = await requireBlobs(this.blobs, repository, wanted, context, {
          missingHere: afterFetch ? 'refuse' : 'fetch',
        });
        requireDeclaredSizes(parsed.blobs, blobs);
        const references: ManifestReferences = { blobs, manifests: children };
        // stamped under the repository's lock, after every write it supersedes and every lock
        // it passed (a restore's tags too: their tombstones and histories)
        const pushed = this.stampAfter(newestOf(newest, newestOfRestored), context);
        requireDeclaredSizes(parsed.manifests, await requireChildren(tx, repository, children));
        await tx.insertManifest({
          repository,
          digest,
          hlc: pushed.hlc,
          mediaType: parsed.mediaType,
          body,
          subject: parsed.subject?.digest,
          artifactType: parsed.artifactType,
          annotations: parsed.annotations,
          references,
        });
        const image = {
          repository,
          digest,
          mediaType: parsed.mediaType,
          size: body.byteLength,
          tag,
        };
        // referrers (signatures, SBOMs, scan reports) describe an image: only images wait
        const quarantined =
          parsed.subject === undefined &&
          (await tx.quarantineAtPush(repository, digest, pushed.hlc));
        // both rows go out together, pipelined in this order on the transaction's connection
        await Promise.all([
          tx.emit(manifestPushed, {
            ...pushed,
            ...image,
            artifactType: parsed.artifactType,
            subject: parsed.subject?.digest,
            body: request.body,
            references,
            ...(quarantined ? { quarantined: true } : {}),
          }),
          // the image is ready in the region it was pushed to the moment the push commits
          tx.emit(replicationCompleted, {
            ...this.outbox.envelope(context),
            hlc: pushed.hlc,
            ...image,
            region: this.outbox.region,
            sourceRegion: this.outbox.region,
            sourceEventId: pushed.eventId,
            pushedAt: pushed.occurredAt,
            lagMs: 0,
          }),
        ]);
        if (quarantined) {
          await tx.emit(quarantineChanged, {
            ...this.outbox.envelope(context),
            hlc: pushed.hlc,
            ...image,
            state: 'quarantined',
          });
        }
        // a tag write from a peer that waited for this manifest (locks/take-back.ts); silent,
        // as applying a peer's write is
        settled = await tx.settleTagsWaitingFor(repository, digest);
        reading = pushed.hlc;
        const setTag = async (name: string) => {
          await tx.recordTagWrite(repository, name, pushed.hlc, digest);
          const previousDigest = await tx.setTag(repository, name, digest, pushed.hlc);
          if (previousDigest === digest) return;
          await tx.emit(tagUpdated, {
            ...this.outbox.envelope(context),
            hlc: pushed.hlc,
            repository,
            tag: name,
            digest,
            mediaType: parsed.mediaType,
            previousDigest,
          });
        };
        if (tag !== undefined) await setTag(tag);
        if (restoring === undefined) return;
        restored = { tags: [], skippedTags: [] };
        for (const name of restoring.tags) {
          const now = newestOfRestored?.get(name);
          const writtenSince =
            now !== undefined &&
            (compareHlc(now.hlc, restoring.deletedHlc) > 0 ||
              (now.digest !== undefined && now.digest !== digest));
          const lockRefuses = refusesPush(await tx.locks(repository, { tag: name })) !== undefined;
          if (writtenSince || lockRefuses) {
            restored.skippedTags.push(name);
            continue;
          }
          await setTag(name);
          restored.tags.push(name);
        }
      });
    // Blobs a peer region holds (a pull-through HEAD found them there, so the client skipped
    // them) are copied and linked outside the transaction, then the push commits again.
    await commit(false).catch(async (error: unknown) => {
      if (!(error instanceof MissingHere)) throw error;
      await this.blobs.fetchFromPeers(repository, error.missing, context);
      await commit(true);
    });
    this.logger.info({ repository, digest, tag, ...restored }, 'manifest pushed');
    for (const write of settled) {
      this.logger.info({ repository, ...write, reading }, 'write settled by a lock');
    }
    return {
      digest,
      mediaType: parsed.mediaType,
      size: body.byteLength,
      subject: parsed.subject?.digest,
      ...(restored === undefined ? {} : { restored }),
    };
  }

  async get(request: GetManifest): Promise<GetManifestResult> {
    const { repository, includeBody } = request;
    const found = await this.manifests.find(
      repository,
      toTagOrDigest(request.reference),
      includeBody,
    );
    if (!found) throw await this.unknown(repository, request.reference);
    const reference = toTagOrDigest(request.reference);
    const tag = reference.kind === 'tag' ? reference.tag : undefined;
    const refusal = refusesPull(found.digest, tag, found.readEnabled);
    if (refusal !== undefined) throw deniedByLock(repository, refusal);
    return {
      digest: found.digest,
      mediaType: found.mediaType,
      size: found.size,
      body: includeBody && found.body ? Buffer.from(found.body).toString('base64') : undefined,
      quarantine: found.quarantine,
    };
  }

  /**
   * By digest: the manifest and every tag pointing to it. By tag: only the tag. Manifests
   * whose subject this one was stay (they are listed as referrers until collected). Either
   * leaves a tombstone stamped like its event, so no older write from another region
   * brings back what went. A purge or the retention sweep passes the `condition` it chose
   * the delete under (the tag still on `digest`, the manifest still untagged), checked under
   * the repository's lock: when it no longer holds nothing is deleted and the answer is
   * 'changed'.
   */
  async delete(
    request: { repository: string; reference: string },
    context: RpcContext,
    condition: DeleteCondition = {},
  ): Promise<'deleted' | 'changed'> {
    const { repository } = request;
    const reference = toTagOrDigest(request.reference);
    const deleting = this.manifests.transaction(async (tx) => {
      const [, newest, locks] = await Promise.all([
        tx.lockRepository(repository),
        tx.newestWrite(
          repository,
          reference.kind === 'digest'
            ? { kind: 'image', digest: reference.digest }
            : { kind: 'image', tag: reference.tag },
        ),
        reference.kind === 'digest'
          ? tx.locks(repository, { digest: reference.digest, tagsOfDigest: true })
          : tx.locks(repository, { tag: reference.tag }),
      ]);
      // what does not exist is unknown, locked or not; what does is refused before it goes
      // (the transaction then rolls the delete back)
      const refuse = () => {
        const refusal =
          reference.kind === 'digest' ? refusesManifestDelete(locks) : refusesTagDelete(locks);
        if (refusal !== undefined) throw deniedByLock(repository, refusal);
      };
      if (reference.kind === 'digest') {
        // stamped first: a restorable copy (soft delete) keeps the delete's reading
        const event = this.stampAfter(newest, context);
        await tx.keepRestorable(repository, reference.digest, event.hlc);
        const tags = await tx.deleteManifest(repository, reference.digest);
        if (tags === undefined) return false;
        refuse();
        if (condition.untagged === true && tags.length > 0) throw new ChangedMeanwhile();
        await tx.recordDelete(repository, reference, event.hlc);
        await tx.forgetLocks(repository, reference, event.hlc);
        await tx.emit(manifestDeleted, { ...event, repository, digest: reference.digest, tags });
        return true;
      }
      const digest = await tx.deleteTag(repository, reference.tag);
      if (digest === undefined) return false;
      refuse();
      if (condition.digest !== undefined && digest !== condition.digest) {
        throw new ChangedMeanwhile();
      }
      const event = this.stampAfter(newest, context);
      await tx.recordDelete(repository, reference, event.hlc);
      await tx.recordTagWrite(repository, reference.tag, event.hlc, null);
      await tx.forgetLocks(repository, reference, event.hlc);
      await tx.emit(tagDeleted, { ...event, repository, tag: reference.tag, digest });
      return true;
    });
    const deleted = await deleting.catch(changedMeanwhile);
    if (deleted === 'changed') return 'changed';
    if (!deleted) throw await this.unknown(repository, request.reference);
    this.logger.info({ repository, reference: request.reference }, 'manifest deleted');
    return 'deleted';
  }

  /**
   * Children of an index missing here that a peer region holds are stored here first (the
   * client skipped them because a pull-through HEAD found them at the peer); the push's
   * transaction then checks them again, and still refuses what is missing.
   */
  private async fetchMissingChildren(
    repository: string,
    children: string[],
    context: RpcContext,
  ): Promise<void> {
    if (children.length === 0) return;
    const sizes = await this.manifests.transaction((tx) => tx.manifestSizes(repository, children));
    const missing = children.filter((digest) => !sizes.has(digest));
    if (missing.length > 0) await this.blobs.fetchChildrenFromPeers(repository, missing, context);
  }

  /** A fresh envelope whose clock reading sorts after `newest` (what the write supersedes). */
  private stampAfter(newest: string | undefined, context: RpcContext): EventEnvelope {
    if (newest !== undefined) this.outbox.observe(newest);
    return this.outbox.envelope(context);
  }

  /**
   * The miss of `reference`. When this region deleted it, the detail says so
   * (`deletedHereDetail`): the gateway then answers the miss without asking peer regions,
   * which may hold the deleted copy until they apply the delete.
   */
  private async unknown(repository: string, reference: string): Promise<RegistryError> {
    const [exists, deleted] = await Promise.all([
      this.manifests.repositoryExists(repository),
      this.manifests.wasDeleted(repository, toTagOrDigest(reference)),
    ]);
    const deletedHere = deleted ? deletedHereDetail : {};
    if (!exists) {
      return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
        name: repository,
        ...deletedHere,
      });
    }
    return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference, ...deletedHere });
  }
}

/**
 * What a delete requires still to hold when it runs under the repository's lock (a purge
 * planned it earlier): the tag still points to `digest`; the manifest still has no tag.
 * Otherwise nothing is deleted and `delete` answers 'changed'.
 */
export interface DeleteCondition {
  digest?: string;
  untagged?: boolean;
}

class ChangedMeanwhile extends Error {}

/** The condition failed: the transaction rolled the delete back. */
function changedMeanwhile(error: unknown): 'changed' {
  if (error instanceof ChangedMeanwhile) return 'changed';
  throw error;
}

/** Tags cannot contain `:`, digests always do. */
export function toTagOrDigest(reference: string): TagOrDigest {
  return reference.includes(':')
    ? { kind: 'digest', digest: reference }
    : { kind: 'tag', tag: reference };
}

function newestOf(
  newest: string | undefined,
  ofTags: Map<string, TagNow> | undefined,
): string | undefined {
  const readings = [newest, ...[...(ofTags?.values() ?? [])].map((now) => now.hlc)].filter(
    (hlc) => hlc !== undefined,
  );
  return readings.reduce<string | undefined>(
    (a, b) => (a === undefined || compareHlc(b, a) > 0 ? b : a),
    undefined,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
