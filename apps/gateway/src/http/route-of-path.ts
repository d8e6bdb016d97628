/**
 * The route template of a registry request, for metric labels and span names: the
 * Distribution API's paths with the repository, reference, digest and session left out,
 * so a label never holds a repository name and their number stays small.
 */
const distributionRoutes: readonly [RegExp, string][] = [
  [/^\/v2\/?$/, '/v2/'],
  [/^\/v2\/_catalog$/, '/v2/_catalog'],
  [/^\/v2\/.+\/manifests\/[^/]+$/, '/v2/{name}/manifests/{reference}'],
  [/^\/v2\/.+\/blobs\/uploads\/?$/, '/v2/{name}/blobs/uploads/'],
  [/^\/v2\/.+\/blobs\/uploads\/[^/]+$/, '/v2/{name}/blobs/uploads/{session}'],
  [/^\/v2\/.+\/blobs\/[^/]+$/, '/v2/{name}/blobs/{digest}'],
  [/^\/v2\/.+\/tags\/list$/, '/v2/{name}/tags/list'],
  [/^\/v2\/.+\/referrers\/[^/]+$/, '/v2/{name}/referrers/{digest}'],
];

/** `routeUrl` is the framework's matched route, used for paths outside `/v2`. */
export function routeOfPath(url: string, routeUrl: string | undefined): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path.startsWith('/v2')) {
    for (const [pattern, route] of distributionRoutes) if (pattern.test(path)) return route;
    return '/v2/{unknown}';
  }
  return routeUrl ?? 'unmatched';
}
