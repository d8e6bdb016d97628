import type { DistributionRoute } from '@meridian/oci';
import { formatScope } from './access-scope';
import { isPullOnly, requiredAccess } from './required-access';

const digest = `sha256:${'a'.repeat(64)}`;
const manifest: DistributionRoute = {
  kind: 'manifest',
  name: 'team/app',
  reference: 'latest',
  referenceKind: 'tag',
};

function scopes(route: DistributionRoute, method: string, from?: string) {
  const access = requiredAccess(route, method, from);
  return { needed: access.needed.map(formatScope), challenge: access.challenge.map(formatScope) };
}

describe(requiredAccess.name, () => {
  it('lets any valid token open /v2/', () => {
    expect(scopes({ kind: 'base' }, 'GET')).toEqual({ needed: [], challenge: [] });
  });

  it('needs registry:catalog:* for the catalog', () => {
    expect(scopes({ kind: 'catalog' }, 'GET').needed).toEqual(['registry:catalog:*']);
  });

  it.each([
    ['GET', manifest],
    ['HEAD', manifest],
    ['GET', { kind: 'blob', name: 'team/app', digest }],
    ['HEAD', { kind: 'blob', name: 'team/app', digest }],
    ['GET', { kind: 'tags', name: 'team/app' }],
    ['GET', { kind: 'referrers', name: 'team/app', digest }],
  ] as const)('needs pull to %s a %o', (method, route) => {
    expect(scopes(route, method)).toEqual({
      needed: ['repository:team/app:pull'],
      challenge: ['repository:team/app:pull'],
    });
  });

  it('needs push to put a manifest, and challenges for pull,push', () => {
    expect(scopes(manifest, 'PUT')).toEqual({
      needed: ['repository:team/app:push'],
      challenge: ['repository:team/app:pull,push'],
    });
  });

  it.each(['GET', 'PATCH', 'PUT', 'DELETE'])('needs push to %s an upload session', (method) => {
    const route: DistributionRoute = { kind: 'upload', name: 'team/app', uploadId: 'x' };
    expect(scopes(route, method).needed).toEqual(['repository:team/app:push']);
  });

  it.each([manifest, { kind: 'blob', name: 'team/app', digest } as const])(
    'needs delete to delete a %o',
    (route) => {
      expect(scopes(route, 'DELETE').needed).toEqual(['repository:team/app:delete']);
    },
  );

  it('needs push on the target and pull on the source of a mount', () => {
    expect(scopes({ kind: 'uploads', name: 'team/app' }, 'POST', 'team/base')).toEqual({
      needed: ['repository:team/app:push', 'repository:team/base:pull'],
      challenge: ['repository:team/app:pull,push', 'repository:team/base:pull'],
    });
  });

  it('leaves a malformed mount source to the controller to refuse', () => {
    expect(scopes({ kind: 'uploads', name: 'team/app' }, 'POST', 'Bad..Name').needed).toEqual([
      'repository:team/app:push',
    ]);
  });
});

describe(isPullOnly.name, () => {
  it('is true for reads of repositories', () => {
    expect(isPullOnly(requiredAccess(manifest, 'GET'))).toBe(true);
  });

  it.each([
    ['PUT', manifest],
    ['DELETE', manifest],
    ['GET', { kind: 'catalog' }],
    ['GET', { kind: 'base' }],
  ] as const)('is false for %s %o', (method, route) => {
    expect(isPullOnly(requiredAccess(route, method))).toBe(false);
  });
});
