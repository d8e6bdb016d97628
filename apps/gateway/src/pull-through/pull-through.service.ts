/**
 * The pull-through cache's manifests (docs/architecture.md, "Artifact cache"). A manifest
 * GET or HEAD of a repository a cache rule covers that neither this region nor a peer has
 * is fetched from the rule's upstream, its digest checked (the requested one, else the
 * upstream's Docker-Content-Digest), served, and stored: the replication service imports
 * the image (every platform of an index) as an ordinary push, after a short delay so the
 * blobs the client is about to pull land in the store first and are mounted, not fetched
 * again.
 *
 * A tag served from the cache is checked upstream (HEAD) once its rule's `tagTtl` has passed
 * since this gateway process last checked it: a moved tag is fetched, served and stored
 * again; an upstream that is down, slow (a few seconds), rate-limiting or failing leaves the
 * cached copy served and the failure counted (`meridian_cache_upstream_failures_total`).
 * With no cached copy, the failure is the pull's answer, naming the upstream and why.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type ErrorCode, type RegistryError, cacheRuleRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import { ImportFailure } from '@meridian/outbound';
import {
  type ParsedManifest,
  computeDigest,
  isSupportedDigest,
  parseDigest,
  parseManifest,
} from '@meridian/oci';
import { InjectLogger, type Logger, metrics } from '@meridian/telemetry';
import { LruMap } from '../caching/lru-map';
import { type CacheUpstream, CacheTargets, pullThroughConfigToken } from './cache-targets';
import type { PullThroughConfig } from './pull-through.config';
import { upstreamPullError } from './upstream-pull-error';

export interface UpstreamManifest {
  digest: string;
  mediaType: string;
  size: number;
  /** base64, as the manifest service answers bodies */
  body: string;
}

const manifestMisses: readonly ErrorCode[] = ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'];
/** How many tags' last upstream checks a gateway process remembers. */
const checkedTagsKept = 100_000;
/** How long a stored image is not queued for storing again (its import is under way). */
const storeRememberMs = 5 * 60_000;

@Injectable()
export class PullThrough {
  /**
   * `repository:tag` → when this process last checked it upstream (or fetched it); the least
   * recently pulled are forgotten past `checkedTagsKept` (forgetting costs one early check)
   */
  private readonly tagsCheckedAt = new LruMap<string, number>({ maxEntries: checkedTagsKept });
  /** `repository@digest` → when it was queued for storing */
  private readonly stored = new Map<string, number>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly targets: CacheTargets,
    @Inject(pullThroughConfigToken) private readonly config: PullThroughConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** The manifest from the upstream when `miss` is a miss of a cache target; else rethrows. */
  async manifestAfterMiss(
    miss: unknown,
    request: { repository: string; reference: string },
    context: RpcContext,
  ): Promise<UpstreamManifest> {
    if (!(await this.targets.coversMiss(miss, request.repository, manifestMisses))) throw miss;
    const upstream = await this.targets.upstream(request.repository, context);
    try {
      const fetched = await this.fetch(upstream, request.reference);
      this.store(request.repository, request.reference, fetched, context);
      return fetched;
    } catch (error) {
      throw this.failed(error, upstream, `manifest ${request.reference}`);
    }
  }

  /**
   * A newer manifest for a tag served from the cache, when its TTL has passed and the
   * upstream moved it; undefined to serve the cached one (unchanged, or the upstream failed).
   */
  async recheckTag(
    request: { repository: string; tag: string; digest: string },
    context: RpcContext,
  ): Promise<UpstreamManifest | undefined> {
    const rule = await this.targets.ruleFor(request.repository);
    if (!rule) return undefined;
    const key = `${request.repository}:${request.tag}`;
    const checkedAt = this.tagsCheckedAt.get(key);
    if (checkedAt !== undefined && Date.now() - checkedAt < rule.tagTtlSeconds * 1000)
      return undefined;
    // concurrent pulls of the tag check it once
    this.tagsCheckedAt.set(key, Date.now());
    let upstream: CacheUpstream | undefined;
    try {
      upstream = await this.targets.upstream(request.repository, context);
      const head = await upstream.client.manifestHead(upstream.repository, request.tag);
      if (head.digest === request.digest) return undefined;
      const fetched = await this.fetch(upstream, request.tag);
      if (fetched.digest === request.digest) return undefined;
      this.logger.info(
        { repository: request.repository, tag: request.tag, digest: fetched.digest },
        'cached tag moved upstream',
      );
      this.store(request.repository, request.tag, fetched, context);
      return fetched;
    } catch (error) {
      const failure = upstream ? this.failed(error, upstream, `tag ${request.tag}`) : error;
      this.logger.warn(
        { repository: request.repository, tag: request.tag, err: failure },
        'failed to check a cached tag upstream; the cached copy is served',
      );
      return undefined;
    }
  }

  /** The manifest by tag or digest, checked against its digest. Throws ImportFailure. */
  private async fetch(upstream: CacheUpstream, reference: string): Promise<UpstreamManifest> {
    const fetched = await upstream.client.manifest(upstream.repository, reference);
    const expected = isSupportedDigest(reference) ? reference : fetched.digest;
    const checkable = expected !== undefined && isSupportedDigest(expected);
    const digest = checkable
      ? computeDigest(fetched.body, parseDigest(expected).algorithm)
      : computeDigest(fetched.body);
    if (checkable && digest !== expected)
      throw new ImportFailure(
        'DIGEST_MISMATCH',
        `manifest ${upstream.repository}:${reference} hashes to ${digest}, the upstream says ${expected}`,
      );
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(fetched.body, fetched.contentType);
    } catch (error) {
      throw new ImportFailure(
        'UPSTREAM_INVALID',
        `the upstream's manifest ${upstream.repository}:${reference} is invalid: ${(error as Error).message}`,
      );
    }
    return {
      digest,
      mediaType: parsed.mediaType,
      size: fetched.body.length,
      body: fetched.body.toString('base64'),
    };
  }

  /** Queues the import that keeps what was served, once per image; never fails the pull. */
  private store(
    repository: string,
    reference: string,
    manifest: UpstreamManifest,
    context: RpcContext,
  ): void {
    const tag = isSupportedDigest(reference) ? undefined : reference;
    if (tag !== undefined) this.tagsCheckedAt.set(`${repository}:${tag}`, Date.now());
    const now = Date.now();
    for (const [key, at] of this.stored) if (now - at >= storeRememberMs) this.stored.delete(key);
    const key = `${repository}@${manifest.digest}${tag === undefined ? '' : `:${tag}`}`;
    // an index's import stores its platforms' manifests too: their pulls by digest queue nothing
    if (
      this.stored.has(key) ||
      (tag === undefined && this.stored.has(`${repository}@${manifest.digest}`))
    )
      return;
    this.stored.set(key, now);
    this.rememberChildren(repository, manifest, now);
    this.rpc
      .request(
        cacheRuleRpc.store,
        {
          repository,
          digest: manifest.digest,
          ...(tag === undefined ? {} : { tag }),
          delayMs: this.config.storeDelayMs,
        },
        { context },
      )
      .then(({ id }) =>
        this.logger.debug({ repository, digest: manifest.digest, id }, 'cached image queued'),
      )
      .catch((err: unknown) => {
        this.stored.delete(key);
        this.logger.warn(
          { repository, digest: manifest.digest, err },
          'failed to store a cached image',
        );
      });
  }

  private rememberChildren(repository: string, manifest: UpstreamManifest, now: number): void {
    try {
      const parsed = parseManifest(Buffer.from(manifest.body, 'base64'), manifest.mediaType);
      for (const child of parsed.manifests) this.stored.set(`${repository}@${child.digest}`, now);
    } catch {
      // checked when fetched
    }
  }

  /** The pull's error for an upstream failure, counted by rule and reason. */
  private failed(error: unknown, upstream: CacheUpstream, what: string): RegistryError {
    const failure = upstreamPullError(error, upstream, what);
    metrics().cacheUpstreamFailures.add(1, { rule: upstream.rule.name, reason: failure.reason });
    return failure.error;
  }
}
