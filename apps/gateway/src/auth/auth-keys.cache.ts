/**
 * The auth service's public keys, issuer and anonymous-pull setting, held in the gateway so
 * that verifying a token costs no NATS round trip. The copy is served for `ttlMs` and then
 * refreshed in the background while the old one keeps answering (a refresh that fails keeps
 * the old copy and is retried on the next request); only the very first request waits.
 *
 * A token signed by a key the copy lacks (a key just rotated in, another region's key) asks
 * for a fresh copy at once, but at most once per `refetchIntervalMs`, so a stream of tokens
 * with made-up key ids cannot turn into a stream of RPCs.
 */
import type { PublicJwk } from '@meridian/contracts';

export interface AuthKeys {
  issuer: string;
  keys: PublicJwk[];
  anonymousPull: boolean;
}

export interface AuthKeysSource {
  /** the cached copy, refreshed in the background once older than its ttl */
  current(): Promise<AuthKeys>;
  /** a copy fetched just now, or the latest one if a fetch happened within the interval */
  refetch(): Promise<AuthKeys>;
}

export interface AuthKeysCacheOptions {
  fetch: () => Promise<AuthKeys>;
  ttlMs?: number;
  refetchIntervalMs?: number;
  now?: () => number;
  /** a failed background refresh: the stale copy keeps serving */
  onRefreshFailed?: (error: unknown) => void;
}

export class AuthKeysCache implements AuthKeysSource {
  private cached?: { keys: AuthKeys; fetchedAt: number };
  private inFlight?: Promise<AuthKeys>;
  private lastRefetchAt = Number.NEGATIVE_INFINITY;
  private readonly ttlMs: number;
  private readonly refetchIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AuthKeysCacheOptions) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.refetchIntervalMs = options.refetchIntervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  async current(): Promise<AuthKeys> {
    const cached = this.cached;
    if (cached === undefined) return this.fetch();
    if (this.now() - cached.fetchedAt >= this.ttlMs) this.refreshInBackground();
    return cached.keys;
  }

  async refetch(): Promise<AuthKeys> {
    if (this.cached && this.now() - this.lastRefetchAt < this.refetchIntervalMs) {
      return this.inFlight ?? this.cached.keys;
    }
    this.lastRefetchAt = this.now();
    // a fetch already under way may have started before the key was published
    await this.inFlight?.catch(() => undefined);
    return this.fetch();
  }

  private refreshInBackground(): void {
    if (this.inFlight) return;
    this.fetch().catch((error: unknown) => this.options.onRefreshFailed?.(error));
  }

  /** One fetch at a time; everyone asking meanwhile shares its answer. */
  private fetch(): Promise<AuthKeys> {
    if (this.inFlight) return this.inFlight;
    const startedAt = this.now();
    const fetching = this.options
      .fetch()
      .then((keys) => {
        this.cached = { keys, fetchedAt: startedAt };
        return keys;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    this.inFlight = fetching;
    return fetching;
  }
}
