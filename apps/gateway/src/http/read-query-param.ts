import type { FastifyRequest } from 'fastify';

/** The first value of a query parameter (`?n=1&n=2` reads as `1`), or undefined when absent. */
export function readQueryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined> | undefined)?.[
    name
  ];
  return Array.isArray(value) ? value[0] : value;
}
