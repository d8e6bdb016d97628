/**
 * Query parameters are checked once, for every route, before anything reads them: a NUL (or
 * a lone surrogate) can be neither stored nor compared by Postgres, so a parameter holding
 * one would fail deep in a service as a 500. It is refused here, 400 REQUEST_INVALID,
 * whatever the route does with it (`last` of a listing, `artifactType` of referrers, the
 * token endpoint's `scope`).
 */
import { RegistryError } from '@meridian/contracts';
import type { FastifyInstance } from 'fastify';
import { isStorableText } from '@meridian/oci';

export function refuseUnstorableQuery(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
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
