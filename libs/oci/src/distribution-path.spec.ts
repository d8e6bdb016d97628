import { isUploadId, parseDistributionPath } from './distribution-path';
import { OciValidationError } from './oci-validation-error';

const digest = `sha256:${'c'.repeat(64)}`;
const sha512 = `sha512:${'c'.repeat(128)}`;
const uploadId = '3f1c2b9e-8d4a-4f6b-9c2e-1a2b3c4d5e6f';

function rejection(path: string): OciValidationError {
  try {
    parseDistributionPath(path);
  } catch (err) {
    if (err instanceof OciValidationError) return err;
    throw err;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe(parseDistributionPath.name, () => {
  it.each([
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    ['/v2/_catalog', { kind: 'catalog' }],
    ['/v2/_catalog?n=10&last=a', { kind: 'catalog' }],
    ['/v2/app/tags/list', { kind: 'tags', name: 'app' }],
    ['/v2/team/app/api/tags/list?n=2', { kind: 'tags', name: 'team/app/api' }],
    [
      '/v2/team/app/manifests/latest',
      { kind: 'manifest', name: 'team/app', reference: 'latest', referenceKind: 'tag' },
    ],
    [
      `/v2/team/app/manifests/${digest}`,
      { kind: 'manifest', name: 'team/app', reference: digest, referenceKind: 'digest' },
    ],
    [`/v2/team/app/blobs/${digest}`, { kind: 'blob', name: 'team/app', digest }],
    [
      `/v2/team/app/manifests/${sha512}`,
      { kind: 'manifest', name: 'team/app', reference: sha512, referenceKind: 'digest' },
    ],
    [`/v2/team/app/blobs/${sha512}`, { kind: 'blob', name: 'team/app', digest: sha512 }],
    [`/v2/team/app/referrers/${sha512}`, { kind: 'referrers', name: 'team/app', digest: sha512 }],
    ['/v2/team/app/blobs/uploads/', { kind: 'uploads', name: 'team/app' }],
    ['/v2/team/app/blobs/uploads', { kind: 'uploads', name: 'team/app' }],
    [
      `/v2/team/app/blobs/uploads/?mount=${digest}&from=other`,
      { kind: 'uploads', name: 'team/app' },
    ],
    [`/v2/team/app/blobs/uploads/${uploadId}`, { kind: 'upload', name: 'team/app', uploadId }],
    [
      `/v2/team/app/blobs/uploads/${uploadId}?digest=${digest}`,
      { kind: 'upload', name: 'team/app', uploadId },
    ],
    [`/v2/team/app/referrers/${digest}`, { kind: 'referrers', name: 'team/app', digest }],
    [
      `/v2/team/app/referrers/${digest}?artifactType=application/spdx%2Bjson`,
      { kind: 'referrers', name: 'team/app', digest },
    ],
  ])('routes %s', (path, expected) => {
    expect(parseDistributionPath(path)).toEqual(expected);
  });

  describe('names whose components are route keywords', () => {
    it.each([
      [
        '/v2/a/blobs/b/manifests/latest',
        { kind: 'manifest', name: 'a/blobs/b', reference: 'latest' },
      ],
      [
        '/v2/manifests/manifests/manifests',
        { kind: 'manifest', name: 'manifests', reference: 'manifests' },
      ],
      ['/v2/tags/list/tags/list', { kind: 'tags', name: 'tags/list' }],
      ['/v2/a/manifests/tags/list', { kind: 'tags', name: 'a/manifests' }],
      ['/v2/a/tags/manifests/list', { kind: 'manifest', name: 'a/tags', reference: 'list' }],
      [`/v2/blobs/blobs/${digest}`, { kind: 'blob', name: 'blobs', digest }],
      ['/v2/a/blobs/uploads/blobs/uploads/', { kind: 'uploads', name: 'a/blobs/uploads' }],
      [`/v2/uploads/blobs/uploads/${uploadId}`, { kind: 'upload', name: 'uploads', uploadId }],
      [`/v2/referrers/referrers/${digest}`, { kind: 'referrers', name: 'referrers', digest }],
      [
        '/v2/a/blobs/uploads/manifests/v1',
        { kind: 'manifest', name: 'a/blobs/uploads', reference: 'v1' },
      ],
    ])('routes %s', (path, expected) => {
      expect(parseDistributionPath(path)).toMatchObject(expected);
    });
  });

  it.each([
    '/',
    '',
    '/v1/app/tags/list',
    '/v2x/app/tags/list',
    '/api/v2/app/tags/list',
    '/v2/app',
    '/v2/team/app',
    '/v2/tags/list',
    '/v2/manifests/latest',
    `/v2/blobs/${digest}`,
    `/v2/blobs/uploads/${uploadId}`,
    '/v2/app/manifests',
    '/v2/app/manifests/',
    '/v2/app/manifests/latest/',
    '/v2/app/tags/list/',
    '/v2/_catalog/',
    '/v2/app/tags',
    '/v2/app/unknown/thing',
  ])('matches no route for %j', (path) => {
    expect(parseDistributionPath(path)).toBeUndefined();
  });

  describe('percent-encoding', () => {
    it('decodes each segment', () => {
      expect(parseDistributionPath('/v2/te%61m/app/manifests/v%31.0')).toEqual({
        kind: 'manifest',
        name: 'team/app',
        reference: 'v1.0',
        referenceKind: 'tag',
      });
      expect(parseDistributionPath(`/v2/app/blobs/sha256%3A${'c'.repeat(64)}`)).toEqual({
        kind: 'blob',
        name: 'app',
        digest,
      });
    });

    it.each([
      '/v2/team%2Fapp/tags/list',
      '/v2/team%2fapp/manifests/latest',
      '/v2/%2E%2E/app/tags/list',
      '/v2/../app/tags/list',
      '/v2/team/%00app/tags/list',
      '/v2/team/%zzapp/tags/list',
      '/v2/team%/tags/list',
    ])('refuses a name segment that does not decode to a name component: %s', (path) => {
      expect(rejection(path).code).toBe('NAME_INVALID');
    });

    it.each([
      '/v2/app/manifests/a%2Fb',
      '/v2/app/manifests/..',
      '/v2/app/manifests/%2E%2E',
      '/v2/app/manifests/v1%00',
      '/v2/app/manifests/%zz',
    ])('refuses a reference that does not decode to a tag: %s', (path) => {
      expect(rejection(path).code).toBe('TAG_INVALID');
    });

    it('passes an upload id through as decoded, valid or not', () => {
      expect(parseDistributionPath('/v2/app/blobs/uploads/not-a-uuid')).toEqual({
        kind: 'upload',
        name: 'app',
        uploadId: 'not-a-uuid',
      });
      expect(parseDistributionPath('/v2/app/blobs/uploads/%2E%2E')).toMatchObject({
        uploadId: '..',
      });
      expect(parseDistributionPath('/v2/app/blobs/uploads/%zz')).toMatchObject({ uploadId: '%zz' });
    });
  });

  describe('validation', () => {
    it.each([
      '/v2/Team/app/tags/list',
      '/v2/team//app/tags/list',
      '/v2//tags/list',
      '/v2/-app/manifests/latest',
      '/v2/app_/manifests/latest',
      `/v2/${'a'.repeat(256)}/tags/list`,
      '/v2/te am/tags/list',
    ])('refuses the name in %s', (path) => {
      const err = rejection(path);

      expect(err.code).toBe('NAME_INVALID');
      expect(err.message).toBe('invalid repository name');
    });

    it('names the repository as sent in the detail', () => {
      expect(rejection('/v2/team%2Fapp/tags/list').detail).toEqual({ name: 'team%2Fapp' });
    });

    it('accepts the longest name', () => {
      const name = `${'a'.repeat(127)}/${'b'.repeat(127)}`;

      expect(parseDistributionPath(`/v2/${name}/tags/list`)).toEqual({ kind: 'tags', name });
    });

    it.each(['-latest', '.hidden', 'a'.repeat(129), 'tag+plus'])('refuses the tag %j', (tag) => {
      expect(rejection(`/v2/app/manifests/${tag}`).code).toBe('TAG_INVALID');
    });

    it('accepts a 128-character tag', () => {
      const tag = `_${'A'.repeat(127)}`;

      expect(parseDistributionPath(`/v2/app/manifests/${tag}`)).toMatchObject({ reference: tag });
    });

    it.each([
      ['manifests', 'sha256:abc', /^invalid sha256 digest/],
      ['manifests', `sha384:${'ab'.repeat(48)}`, /^unsupported digest algorithm sha384/],
      ['manifests', `sha512:${'ab'.repeat(32)}`, /^invalid sha512 digest/],
      ['blobs', 'latest', /^invalid digest$/],
      ['blobs', 'md5:d41d8cd98f00b204e9800998ecf8427e', /^unsupported digest algorithm md5/],
      ['referrers', 'sha256:XYZ', /^invalid sha256 digest/],
      ['referrers', 'latest', /^invalid digest$/],
    ])('refuses, under %s, the digest %j', (keyword, value, message) => {
      const err = rejection(`/v2/app/${keyword}/${value}`);

      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toMatch(message);
    });

    it('checks the name before the reference', () => {
      expect(rejection('/v2/App/manifests/-bad').code).toBe('NAME_INVALID');
    });
  });
});

describe(isUploadId.name, () => {
  it.each([uploadId, '018f4c1e-7b3a-7c2d-9e8f-0a1b2c3d4e5f'])('accepts %s', (value) => {
    expect(isUploadId(value)).toBe(true);
  });

  it.each([
    '',
    'not-a-uuid',
    '..',
    `${uploadId}x`,
    uploadId.replace(/-/g, ''),
    `${uploadId}/..`,
    uploadId.toUpperCase(),
  ])('refuses %j', (value) => {
    expect(isUploadId(value)).toBe(false);
  });
});
