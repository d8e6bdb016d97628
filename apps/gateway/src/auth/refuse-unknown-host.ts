/**
 * Without MERIDIAN_PUBLIC_URL the token realm comes from the request's Host: a request under
 * a Host the gateway cannot vouch for (realm-host.ts) is refused with 400
 * REQUEST_INVALID before any route, so no challenge ever names a host an attacker chose.
 * `/livez` and `/readyz` stay open to probes addressing the pod or container by IP.
 */
import { RegistryError } from '@meridian/contracts';
import type { FastifyInstance } from 'fastify';
import { isRealmHost } from './realm-host';
import { renderError } from '../http/render-error';

const probePaths = new Set(['/livez', '/readyz']);

export function refuseUnknownHosts(fastify: FastifyInstance, listenHost: string): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (probePaths.has(request.url.split('?')[0]!)) return done();
    if (isRealmHost(request.headers.host, listenHost)) return done();
    const rendered = renderError(
      new RegistryError(
        'REQUEST_INVALID',
        'unknown Host: set MERIDIAN_PUBLIC_URL to the URL clients reach this registry at',
        { host: request.headers.host ?? null },
      ),
    );
    void reply
      .code(rendered.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(rendered.body));
  });
}
