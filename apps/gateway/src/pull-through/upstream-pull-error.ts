/**
 * What a pull through the cache answers when the upstream failed it and no cached copy
 * exists, in the registry's error vocabulary, naming the upstream and why. A 404 upstream is
 * a 404 here (the image does not exist); anything else is 503 UNAVAILABLE: the client did
 * nothing wrong, this registry cannot get the image now (the upstream is down, slow,
 * rate-limiting, refused the rule's credentials or its address, or sent bytes that are not
 * what it announced). The reason is one word, the metric's label.
 */
import { RegistryError } from '@meridian/contracts';
import { ImportFailure, asFailure } from '@meridian/outbound';
import { DigestMismatchError } from '@meridian/storage';
import type { CacheUpstream } from './cache-targets';

export interface UpstreamPullError {
  /** `timeout`, `unavailable`, `rate_limited`, `unauthorized`, `not_found`, `invalid`, … */
  reason: string;
  error: RegistryError;
}

export function upstreamPullError(
  error: unknown,
  upstream: Pick<CacheUpstream, 'registry' | 'repository' | 'rule'>,
  what: string,
): UpstreamPullError {
  const failure =
    error instanceof DigestMismatchError
      ? new ImportFailure('DIGEST_MISMATCH', `the upstream's bytes do not match: ${error.message}`)
      : asFailure(error);
  const reason = failure.reason.replace(/^UPSTREAM_/, '').toLowerCase();
  const detail = {
    rule: upstream.rule.name,
    upstream: `${upstream.registry}/${upstream.repository}`,
    reason,
  };
  const message = `the cache rule's upstream failed the ${what}: ${failure.message}`;
  if (failure.reason === 'UPSTREAM_NOT_FOUND') {
    const code = what.startsWith('blob') ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN';
    return { reason, error: new RegistryError(code, message, detail) };
  }
  return { reason, error: new RegistryError('UNAVAILABLE', message, detail) };
}
