import { ImportFailure } from '@meridian/outbound';
import { DigestMismatchError } from '@meridian/storage';
import { upstreamPullError } from './upstream-pull-error';

const upstream = {
  registry: 'r.example',
  repository: 'library/alpine',
  rule: { name: 'hub' },
} as Parameters<typeof upstreamPullError>[1];

describe(upstreamPullError.name, () => {
  it('answers a 404 upstream with the OCI code of what was pulled', () => {
    const manifest = upstreamPullError(
      new ImportFailure('UPSTREAM_NOT_FOUND', 'manifest library/alpine:1 not found upstream'),
      upstream,
      'manifest 1',
    );
    expect(manifest.reason).toBe('not_found');
    expect(manifest.error).toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      detail: { rule: 'hub', upstream: 'r.example/library/alpine', reason: 'not_found' },
    });
    expect(
      upstreamPullError(new ImportFailure('UPSTREAM_NOT_FOUND', 'x'), upstream, 'blob sha256:a')
        .error.code,
    ).toBe('BLOB_UNKNOWN');
  });

  it.each([
    [new ImportFailure('UPSTREAM_TIMEOUT', 'r.example sent nothing for 5 s', true), 'timeout'],
    [new ImportFailure('UPSTREAM_RATE_LIMITED', 'HTTP 429', true), 'rate_limited'],
    [new ImportFailure('UPSTREAM_UNAUTHORIZED', 'HTTP 401'), 'unauthorized'],
    [new ImportFailure('UPSTREAM_REFUSED', '10.0.0.1 is internal'), 'refused'],
    [
      new DigestMismatchError({ digest: 'sha256:a', size: 1 }, { digest: 'sha256:b', size: 1 }),
      'digest_mismatch',
    ],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unavailable'],
  ])('answers %s as 503 naming the upstream and the reason', (error, reason) => {
    const answer = upstreamPullError(error, upstream, 'manifest 1');
    expect(answer.reason).toBe(reason);
    expect(answer.error.code).toBe('UNAVAILABLE');
    expect(answer.error.message).toMatch(/^the cache rule's upstream failed the manifest 1: /);
  });
});
