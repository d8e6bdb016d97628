/**
 * Which repositories are a pull-through cache, as the gateway sees it: the region's cache
 * rules, read from the replication service at most every `refreshMs` and matched here, so a
 * pull of any other repository pays no request for it. A repository a rule covers is
 * resolved (upstream repository, credentials opened) by the replication service, and the
 * answer kept as long, with one upstream client per repository, so its login is reused.
 *
 * When the rules cannot be read (the replication service restarting), the last rules read
 * are used; a gateway that never read them treats no repository as a cache.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type CacheResolution,
  type CacheRuleView,
  type ErrorCode,
  cacheRuleRpc,
  isDeletedHere,
  isRegistryError,
  upstreamRepositoryFor,
} from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import { AddressPolicy, UpstreamRegistry, type UpstreamSettings } from '@meridian/outbound';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { PullThroughConfig } from './pull-through.config';

export const pullThroughConfigToken = Symbol('PullThroughConfig');

/** How long the rules (and a resolution) are used before they are read again. */
export const cacheRulesRefreshMs = 5_000;
/** A read of the rules slower than this keeps the last ones: a pull must not wait for it. */
const rulesTimeoutMs = 1_000;

export interface CacheUpstream extends CacheResolution {
  client: UpstreamRegistry;
}

@Injectable()
export class CacheTargets {
  private rules: CacheRuleView[] = [];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading?: Promise<void>;
  private readonly upstreams = new Map<string, { at: number; upstream: Promise<CacheUpstream> }>();
  private readonly settings: UpstreamSettings;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(pullThroughConfigToken) config: PullThroughConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.settings = {
      policy: new AddressPolicy(config.allowedUpstreams),
      insecureHosts: config.insecureUpstreams,
      stallTimeoutMs: config.upstreamTimeoutMs,
    };
  }

  /** The rule covering `repository`, if any. */
  async ruleFor(repository: string): Promise<CacheRuleView | undefined> {
    await this.refresh();
    return this.rules.find((rule) => upstreamRepositoryFor(rule, repository) !== undefined);
  }

  /**
   * Whether `miss` is a miss of a repository a cache rule covers. What this region deleted
   * itself is not fetched again: a delete is visible in its region at once.
   */
  async coversMiss(
    miss: unknown,
    repository: string,
    misses: readonly ErrorCode[],
  ): Promise<boolean> {
    if (!isRegistryError(miss) || !misses.includes(miss.code) || isDeletedHere(miss)) return false;
    return (await this.ruleFor(repository)) !== undefined;
  }

  /** The upstream of a repository a rule covers, with a client logged in as the rule says. */
  upstream(repository: string, context: RpcContext): Promise<CacheUpstream> {
    const now = Date.now();
    for (const [key, entry] of this.upstreams)
      if (now - entry.at >= cacheRulesRefreshMs) this.upstreams.delete(key);
    const kept = this.upstreams.get(repository);
    if (kept) return kept.upstream;
    const upstream = this.rpc
      .request(cacheRuleRpc.resolve, { repository }, { context })
      .then((resolution) => ({
        ...resolution,
        client: new UpstreamRegistry(
          {
            registry: resolution.registry,
            ...(resolution.credentials ? { credentials: resolution.credentials } : {}),
          },
          this.settings,
        ),
      }));
    this.upstreams.set(repository, { at: now, upstream });
    upstream.catch(() => this.upstreams.delete(repository));
    return upstream;
  }

  private refresh(): Promise<void> {
    if (Date.now() - this.readAt < cacheRulesRefreshMs) return Promise.resolve();
    this.reading ??= this.rpc
      .request(cacheRuleRpc.list, {}, { timeoutMs: rulesTimeoutMs })
      .then(({ cacheRules }) => {
        this.rules = cacheRules;
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'failed to read the cache rules'))
      .finally(() => {
        this.readAt = Date.now();
        this.reading = undefined;
      });
    return this.reading;
  }
}
