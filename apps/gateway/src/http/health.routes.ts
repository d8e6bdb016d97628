/**
 * `GET /livez` and `/readyz` on the gateway's own port, registered on Fastify directly:
 * outside `/v2` and `/api/v1`, so neither registry tokens nor the management guard apply.
 * Readiness means the region's NATS and the store answer. `/metrics` is not here: the
 * registry's port is the public one, and what the gateway counts (request rates, routes,
 * timings) is the operator's business; it answers on the health port (MERIDIAN_HEALTH_PORT)
 * with `/livez` and `/readyz`, as every service's does.
 */
import type { HealthEndpoints } from '@meridian/telemetry';
import type { FastifyInstance } from 'fastify';

export const healthPaths = ['/livez', '/readyz'] as const;

export function registerHealthRoutes(fastify: FastifyInstance, endpoints: HealthEndpoints): void {
  for (const path of healthPaths) {
    fastify.get(path, async (request, reply) => {
      const answer = await endpoints.answer(path);
      if (!answer) return reply.code(404).send();
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    });
  }
}
