/**
 * One attempt at an import, start to finish:
 *
 * 1. The source's manifest, and for an index each platform's (or, without `allPlatforms`,
 *    only the requested platform's), each checked against its digest: the reference's when
 *    it is one, Docker-Content-Digest's when the upstream sent one.
 * 2. The targets checked before any byte moves: a write lock on a target repository or tag
 *    stops the job; a tag pointing to another manifest is left alone without `force`; the
 *    blobs must fit the store's and each target's quota.
 * 3. Each blob the store lacks streamed from the upstream into the store, hashed on the way
 *    (libs/storage verify-digest.ts: the store's put completes only for the announced digest and size, so
 *    nothing partial or wrong is ever at a blob key); a blob the store holds is not fetched.
 *    A local source's blobs are all in the store: nothing is copied.
 * 4. The blobs linked into each target repository, then the manifests pushed through the
 *    manifest service's ordinary `manifest.put` (children by digest, then the top one under
 *    the tag): a push like a client's, so events, replication, scanning and webhooks follow.
 *    Nothing is tagged until every byte is verified and in place.
 */
import type { Readable } from 'node:stream';
import {
  type Credentials,
  type ImportJob,
  type ImportRequest,
  type ImportSource,
  type ImportTarget,
  type RegistryError,
  importTargets,
  isRegistryError,
  parseImportSource,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import {
  type ParsedManifest,
  OciValidationError,
  computeDigest,
  isSupportedDigest,
  parseDigest,
  parseManifest,
} from '@meridian/oci';
import {
  ImportFailure,
  type UpstreamSettings,
  UpstreamRegistry,
  asFailure,
} from '@meridian/outbound';
import { type StorageDriver, blobKey, DigestMismatchError, verifyDigest } from '@meridian/storage';
import type { ImportRegion } from './import-region';

export type ImportProgress = ImportJob['progress'];

export interface TransferInput {
  request: ImportRequest;
  credentials?: Credentials;
  context: RpcContext;
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  parsed: ParsedManifest;
}

interface BlobToImport {
  digest: string;
  size: number;
}

/** Blobs fetched at once. */
const parallelBlobs = 3;

export class ImportTransfer {
  constructor(
    private readonly store: StorageDriver,
    private readonly region: ImportRegion,
    private readonly upstreams: UpstreamSettings,
  ) {}

  /** Runs the import; answers the digest imported. Throws ImportFailure. */
  async run(input: TransferInput, onProgress: (progress: ImportProgress) => void): Promise<string> {
    try {
      return await this.transfer(input, onProgress);
    } catch (error) {
      throw this.failure(error);
    }
  }

  private async transfer(
    input: TransferInput,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<string> {
    const { request } = input;
    const source = parseImportSource(request.source)!;
    const reader = this.reader(source, input);
    const top = await reader.manifest(source.reference);
    const children: FetchedManifest[] = [];
    let pushed = top;
    if (top.parsed.kind === 'index') {
      if (request.allPlatforms) {
        for (const child of top.parsed.manifests)
          children.push(await reader.manifest(child.digest));
      } else {
        const wanted = pickPlatform(top.parsed, request.platform);
        if (!wanted)
          throw new ImportFailure(
            'SOURCE_UNKNOWN',
            `the index has no image for ${request.platform}`,
          );
        pushed = await reader.manifest(wanted);
      }
    }
    const images = pushed === top ? [top, ...children] : [pushed];
    const nested = images.find((image) => image !== top && image.parsed.kind === 'index');
    if (nested)
      throw new ImportFailure(
        'UPSTREAM_INVALID',
        `index ${nested.digest} is nested in another index`,
      );
    const blobs = uniqueBlobs(images);
    const targets = importTargets(request).map((target) => withTag(target, source));
    await this.checkTargets(targets, pushed.digest, request.force);
    await this.checkQuota(targets, blobs);

    const progress: ImportProgress = {
      bytesDone: 0,
      bytesTotal: blobs.reduce((sum, blob) => sum + blob.size, 0),
      blobsDone: 0,
      blobsTotal: blobs.length,
      blobsMounted: 0,
    };
    onProgress({ ...progress });
    await forEachAtMost(parallelBlobs, blobs, async (blob) => {
      if (await this.store.stat(blobKey(blob.digest))) {
        progress.blobsMounted += 1;
        progress.bytesDone += blob.size;
      } else {
        if (!source.registry)
          throw new ImportFailure(
            'SOURCE_UNKNOWN',
            `blob ${blob.digest} of the source is not in this region's store`,
          );
        await this.fetchBlob(reader, blob, (count) => {
          progress.bytesDone += count;
          onProgress({ ...progress });
        });
      }
      progress.blobsDone += 1;
      onProgress({ ...progress });
    });

    for (const target of targets) {
      for (const blob of blobs)
        await this.region.linkBlob(target.repository, blob.digest, blob.size);
      const manifests = pushed === top ? children : [];
      for (const child of manifests)
        await this.region.putManifest(
          target.repository,
          child.digest,
          child.mediaType,
          child.body.toString('base64'),
          input.context,
        );
      await this.region.putManifest(
        target.repository,
        target.tag ?? pushed.digest,
        pushed.mediaType,
        pushed.body.toString('base64'),
        input.context,
      );
    }
    return pushed.digest;
  }

  private reader(source: ImportSource, input: TransferInput): SourceReader {
    if (!source.registry) return new LocalSource(source.repository, this.region);
    const upstream = new UpstreamRegistry(
      {
        registry: source.registry,
        ...(input.credentials ? { credentials: input.credentials } : {}),
        ...(input.request.caBundle ? { caBundle: input.request.caBundle } : {}),
      },
      this.upstreams,
    );
    return new RemoteSource(source.repository, upstream);
  }

  private async checkTargets(
    targets: ImportTarget[],
    digest: string,
    force: boolean,
  ): Promise<void> {
    for (const target of targets) {
      const locked = await this.region.writeLock(target.repository, target.tag);
      if (locked) throw new ImportFailure('LOCKED', locked);
      if (force || target.tag === undefined) continue;
      const existing = await this.region.findManifest(target.repository, target.tag);
      if (existing && existing.digest !== digest)
        throw new ImportFailure(
          'TAG_EXISTS',
          `${target.repository}:${target.tag} points to ${existing.digest} already; import with force to overwrite it`,
        );
    }
  }

  private async checkQuota(targets: ImportTarget[], blobs: BlobToImport[]): Promise<void> {
    const usage = await this.region.usage();
    const total = blobs.reduce((sum, blob) => sum + blob.size, 0);
    if (usage.quotaBytes !== undefined && usage.bytes + total > usage.quotaBytes)
      throw new ImportFailure(
        'QUOTA_EXCEEDED',
        `the image (${total} bytes) would take the region's store past its quota of ${usage.quotaBytes} bytes`,
      );
    for (const target of targets) {
      const repository = usage.repositories.find((entry) => entry.repository === target.repository);
      if (repository?.quotaBytes !== undefined && repository.bytes + total > repository.quotaBytes)
        throw new ImportFailure(
          'QUOTA_EXCEEDED',
          `the image (${total} bytes) would take ${target.repository} past its quota of ${repository.quotaBytes} bytes`,
        );
    }
  }

  private async fetchBlob(
    reader: SourceReader,
    blob: BlobToImport,
    onBytes: (count: number) => void,
  ): Promise<void> {
    const { stream, length } = await reader.blob(blob.digest);
    if (length !== undefined && length !== blob.size) {
      stream.destroy();
      throw new ImportFailure(
        'UPSTREAM_INVALID',
        `blob ${blob.digest} is announced as ${blob.size} bytes, the upstream sends ${length}`,
      );
    }
    const verified = verifyDigest(blob, onBytes);
    stream.on('error', (error) => verified.destroy(error));
    await this.store.put(blobKey(blob.digest), stream.pipe(verified), blob.size);
  }

  private failure(error: unknown): ImportFailure {
    if (error instanceof ImportFailure) return error;
    if (error instanceof DigestMismatchError)
      return new ImportFailure(
        'DIGEST_MISMATCH',
        `the upstream's bytes do not match: ${error.message}`,
      );
    if (error instanceof OciValidationError)
      return new ImportFailure(
        'UPSTREAM_INVALID',
        `the upstream's manifest is invalid: ${error.message}`,
      );
    if (isRegistryError(error)) return registryFailure(error);
    if ((error as NodeJS.ErrnoException | undefined)?.code !== undefined) return asFailure(error);
    return new ImportFailure(
      'INTERNAL',
      error instanceof Error ? error.message : String(error),
      true,
    );
  }
}

function registryFailure(error: RegistryError): ImportFailure {
  switch (error.code) {
    case 'DENIED':
      return /quota/i.test(error.message)
        ? new ImportFailure('QUOTA_EXCEEDED', error.message)
        : new ImportFailure('LOCKED', error.message);
    case 'UNAVAILABLE':
      return new ImportFailure(
        'INTERNAL',
        `a service of this region did not answer: ${error.message}`,
        true,
      );
    case 'MANIFEST_UNKNOWN':
    case 'NAME_UNKNOWN':
      return new ImportFailure('SOURCE_UNKNOWN', error.message);
    default:
      return new ImportFailure('UPSTREAM_INVALID', `${error.code}: ${error.message}`);
  }
}

interface SourceReader {
  manifest(reference: string): Promise<FetchedManifest>;
  blob(digest: string): Promise<{ stream: Readable; length?: number }>;
}

class RemoteSource implements SourceReader {
  constructor(
    private readonly repository: string,
    private readonly upstream: UpstreamRegistry,
  ) {}

  async manifest(reference: string): Promise<FetchedManifest> {
    const fetched = await this.upstream.manifest(this.repository, reference);
    const expected = isSupportedDigest(reference) ? reference : fetched.digest;
    const digest =
      expected !== undefined && isSupportedDigest(expected)
        ? computeDigest(fetched.body, parseDigest(expected).algorithm)
        : computeDigest(fetched.body);
    if (expected !== undefined && isSupportedDigest(expected) && digest !== expected)
      throw new ImportFailure(
        'DIGEST_MISMATCH',
        `manifest ${this.repository}:${reference} hashes to ${digest}, the upstream says ${expected}`,
      );
    const parsed = parseManifest(fetched.body, fetched.contentType);
    return { digest, mediaType: parsed.mediaType, body: fetched.body, parsed };
  }

  blob(digest: string) {
    return this.upstream.blob(this.repository, digest);
  }
}

class LocalSource implements SourceReader {
  constructor(
    private readonly repository: string,
    private readonly region: ImportRegion,
  ) {}

  async manifest(reference: string): Promise<FetchedManifest> {
    const found = await this.region.findManifest(this.repository, reference);
    if (!found)
      throw new ImportFailure(
        'SOURCE_UNKNOWN',
        `${this.repository}:${reference} is not in this registry`,
      );
    const body = Buffer.from(found.body, 'base64');
    return {
      digest: found.digest,
      mediaType: found.mediaType,
      body,
      parsed: parseManifest(body, found.mediaType),
    };
  }

  blob(digest: string): Promise<never> {
    throw new ImportFailure(
      'SOURCE_UNKNOWN',
      `blob ${digest} of the source is not in this region's store`,
    );
  }
}

/** The target's tag, or the source's when the target names none and the source has one. */
function withTag(target: ImportTarget, source: ImportSource): ImportTarget {
  if (target.tag !== undefined || isSupportedDigest(source.reference)) return target;
  return { ...target, tag: source.reference };
}

function uniqueBlobs(images: FetchedManifest[]): BlobToImport[] {
  const blobs = new Map<string, BlobToImport>();
  for (const image of images)
    for (const blob of image.parsed.blobs)
      if (!blob.foreign) blobs.set(blob.digest, { digest: blob.digest, size: blob.size });
  return [...blobs.values()];
}

function pickPlatform(index: ParsedManifest, platform: string): string | undefined {
  const [os, architecture, variant] = platform.split('/');
  const match = index.manifests.find((child) => {
    const candidate = (
      child as { platform?: { os?: string; architecture?: string; variant?: string } }
    ).platform;
    return (
      candidate?.os === os &&
      candidate?.architecture === architecture &&
      (variant === undefined || candidate?.variant === variant)
    );
  });
  return match?.digest;
}

async function forEachAtMost<T>(
  limit: number,
  items: T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  // after a failure no lane starts another item; those under way end on their own (done, or
  // their stall timeout)
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(lanes);
}
