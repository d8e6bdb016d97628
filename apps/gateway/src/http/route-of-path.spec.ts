import { routeOfPath } from './route-of-path';

describe(routeOfPath.name, () => {
  it.each([
    ['/v2/', '/v2/'],
    ['/v2', '/v2/'],
    ['/v2/_catalog?n=10', '/v2/_catalog'],
    ['/v2/team/app/manifests/latest', '/v2/{name}/manifests/{reference}'],
    ['/v2/team/app/blobs/uploads/', '/v2/{name}/blobs/uploads/'],
    ['/v2/team/app/blobs/uploads/5f0c?_state=x', '/v2/{name}/blobs/uploads/{session}'],
    ['/v2/team/app/blobs/sha256:ab', '/v2/{name}/blobs/{digest}'],
    ['/v2/team/app/tags/list', '/v2/{name}/tags/list'],
    ['/v2/team/app/referrers/sha256:ab', '/v2/{name}/referrers/{digest}'],
    ['/v2/team', '/v2/{unknown}'],
  ])('%s is %s', (url, route) => {
    expect(routeOfPath(url, '/v2/*')).toBe(route);
  });

  it('names routes outside /v2 by their matched template', () => {
    expect(routeOfPath('/api/v1/identities/abc', '/api/v1/identities/:id')).toBe(
      '/api/v1/identities/:id',
    );
    expect(routeOfPath('/nowhere', undefined)).toBe('unmatched');
  });
});
