/**
 * The URL is checked once, for every route, before anything reads it: a NUL (or a lone
 * surrogate) can be neither stored nor compared by Postgres, so a path segment or query
 * parameter holding one would fail deep in a service as a 500. It is refused here, 400
 * REQUEST_INVALID, whatever the route does with it (`last` of a listing, `artifactType` of
 * referrers, the token endpoint's `scope`, a management API resource name).
 */
import { RegistryError } from '@meridian/contracts';
import { isStorableText } from '@meridian/oci';
import type { FastifyInstance } from 'fastify';

export function refuseUnstorableUrl(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    // a path decodes a NUL only from `%00` (node refuses a raw one in the request line)
    const path = request.url.split('?', 1)[0] ?? '';
    if (path.includes('%00')) {
      done(new RegistryError('REQUEST_INVALID', 'the path may not contain NUL'));
      return;
    }
    const query = request.query as Record<string, string | string[] | undefined> | undefined;
    for (const [name, value] of Object.entries(query ?? {})) {
      const values = Array.isArray(value) ? value : [value ?? ''];
      if (!isStorableText(name) || !values.every(isStorableText)) {
        done(
          new RegistryError(
            'REQUEST_INVALID',
            'query parameters may not contain NUL or unpaired surrogates',
            { parameter: isStorableText(name) ? name : undefined },
          ),
        );
        return;
      }
    }
    done();
  });
}
