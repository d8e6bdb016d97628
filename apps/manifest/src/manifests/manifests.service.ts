/**
 * The rules of manifests and tags: what a push must satisfy, what a read answers, what a
 * delete removes, and which events each change announces.
 *
 * One push is one write with one hybrid logical clock reading: `manifest.pushed.v1`, the
 * tag row and `tag.updated.v1` all carry it, so every region settles concurrent writes of
 * a tag the same way whichever event it applies.
 */
import { Injectable } from '@nestjs/common';
import {
  type ManifestInfo,
  RegistryError,
  manifestDeleted,
  manifestPushed,
  maxManifestBytes,
  tagDeleted,
  tagUpdated,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import {
  type ParsedManifest,
  isOciValidationError,
  parseManifest,
  sha256Digest,
} from '@meridian/oci';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { BlobPresence } from './blob-presence';
import {
  type ManifestReferences,
  ManifestsRepository,
  type ManifestsTransaction,
  type TagOrDigest,
} from './manifests.repository';

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
}

export interface GetManifest {
  repository: string;
  reference: string;
  includeBody: boolean;
}

export interface GetManifestResult extends ManifestInfo {
  /** base64, when asked for */
  body?: string;
}

@Injectable()
export class ManifestsService {
  constructor(
    private readonly manifests: ManifestsRepository,
    private readonly blobs: BlobPresence,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async put(request: PutManifest, context: RpcContext): Promise<PutManifestResult> {
    const { repository } = request;
    const body = Buffer.from(request.body, 'base64');
    if (body.byteLength > maxManifestBytes) {
      throw new RegistryError('MANIFEST_TOO_LARGE', `manifest exceeds ${maxManifestBytes} bytes`, {
        size: body.byteLength,
        limit: maxManifestBytes,
      });
    }
    const parsed = parse(body, request.contentType);
    const digest = sha256Digest(body);
    const reference = toTagOrDigest(request.reference);
    if (reference.kind === 'digest' && reference.digest !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'manifest digest does not match the reference', {
        reference: reference.digest,
        digest,
      });
    }
    const blobs = await this.requireBlobs(repository, parsed, context);
    const children = unique(parsed.manifests.map((child) => child.digest));
    const references: ManifestReferences = { blobs, manifests: children };
    const tag = reference.kind === 'tag' ? reference.tag : undefined;

    const pushed = this.outbox.envelope(context);
    await this.manifests.transaction(async (tx) => {
      await tx.ensureRepository(repository);
      await requireChildren(tx, repository, children);
      await tx.insertManifest({
        repository,
        digest,
        mediaType: parsed.mediaType,
        body,
        subject: parsed.subject?.digest,
        artifactType: parsed.artifactType,
        annotations: parsed.annotations,
        references,
      });
      await tx.emit(manifestPushed, {
        ...pushed,
        repository,
        digest,
        mediaType: parsed.mediaType,
        size: body.byteLength,
        tag,
        artifactType: parsed.artifactType,
        subject: parsed.subject?.digest,
        body: request.body,
        references,
      });
      if (tag === undefined) return;
      const previousDigest = await tx.setTag(repository, tag, digest, pushed.hlc);
      if (previousDigest === digest) return;
      await tx.emit(tagUpdated, {
        ...this.outbox.envelope(context),
        hlc: pushed.hlc,
        repository,
        tag,
        digest,
        mediaType: parsed.mediaType,
        previousDigest,
      });
    });
    this.logger.info({ repository, digest, tag }, 'manifest pushed');
    return {
      digest,
      mediaType: parsed.mediaType,
      size: body.byteLength,
      subject: parsed.subject?.digest,
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
    return {
      digest: found.digest,
      mediaType: found.mediaType,
      size: found.size,
      body: includeBody && found.body ? Buffer.from(found.body).toString('base64') : undefined,
    };
  }

  /**
   * By digest: the manifest and every tag pointing to it. By tag: only the tag. Manifests
   * whose subject this one was stay (they are listed as referrers until collected).
   */
  async delete(
    request: { repository: string; reference: string },
    context: RpcContext,
  ): Promise<void> {
    const { repository } = request;
    const reference = toTagOrDigest(request.reference);
    const deleted = await this.manifests.transaction(async (tx) => {
      if (reference.kind === 'digest') {
        const tags = await tx.deleteManifest(repository, reference.digest);
        if (tags === undefined) return false;
        await tx.emit(manifestDeleted, {
          ...this.outbox.envelope(context),
          repository,
          digest: reference.digest,
          tags,
        });
        return true;
      }
      const digest = await tx.deleteTag(repository, reference.tag);
      if (digest === undefined) return false;
      await tx.emit(tagDeleted, {
        ...this.outbox.envelope(context),
        repository,
        tag: reference.tag,
        digest,
      });
      return true;
    });
    if (!deleted) throw await this.unknown(repository, request.reference);
    this.logger.info({ repository, reference: request.reference }, 'manifest deleted');
  }

  /** Every non-foreign blob must be visible in the repository; returns them with their sizes. */
  private async requireBlobs(
    repository: string,
    parsed: ParsedManifest,
    context: RpcContext,
  ): Promise<ManifestReferences['blobs']> {
    const wanted = unique(parsed.blobs.filter((blob) => !blob.foreign).map((blob) => blob.digest));
    const found = new Map(
      (await this.blobs.visible(repository, wanted, context)).map((blob) => [
        blob.digest,
        blob.size,
      ]),
    );
    const missing = wanted.filter((digest) => !found.has(digest));
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing[0]}`, {
        missing,
      });
    }
    return wanted.map((digest) => ({ digest, size: found.get(digest)! }));
  }

  private async unknown(repository: string, reference: string): Promise<RegistryError> {
    if (!(await this.manifests.repositoryExists(repository))) {
      return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
        name: repository,
      });
    }
    return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference });
  }
}

/** Child manifests of an index must be in the same repository (distribution's rule). */
async function requireChildren(
  tx: ManifestsTransaction,
  repository: string,
  children: string[],
): Promise<void> {
  const present = new Set(await tx.existingManifests(repository, children));
  const missing = children.filter((digest) => !present.has(digest));
  if (missing.length > 0) {
    throw new RegistryError(
      'MANIFEST_BLOB_UNKNOWN',
      `manifest unknown to registry: ${missing[0]}`,
      {
        missing,
      },
    );
  }
}

function parse(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  try {
    return parseManifest(body, contentType);
  } catch (err) {
    if (isOciValidationError(err)) throw new RegistryError(err.code, err.message, err.detail);
    throw err;
  }
}

/** Tags cannot contain `:`, digests always do. */
export function toTagOrDigest(reference: string): TagOrDigest {
  return reference.includes(':')
    ? { kind: 'digest', digest: reference }
    : { kind: 'tag', tag: reference };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
