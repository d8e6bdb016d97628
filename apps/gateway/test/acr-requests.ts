/**
 * Requests to ACR's `/acr/v1` with a token granting just what a test names, as the auth
 * service signs it for a caller. The path goes as written (fetch would resolve `..` first);
 * a body that is not a string is sent as JSON.
 */
import { request as httpRequest } from 'node:http';
import type { AccessEntry } from '@meridian/contracts';
import type { RegistryUnderTest } from './registry.harness';

export interface AcrRequest {
  method?: string;
  access: AccessEntry[];
  body?: unknown;
}

export async function acrRequest(
  registry: RegistryUnderTest,
  path: string,
  { method = 'GET', access, body }: AcrRequest,
): Promise<Response> {
  const token = await registry.auth.mint({ access, sub: 'acr-user', kind: 'service-principal' });
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${registry.url}/`, {
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        // node sends a DELETE's body unframed unless told its length
        ...(payload === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        const status = response.statusCode ?? 0;
        // a Response cannot carry a body with these statuses
        const bytes = [204, 304].includes(status) ? null : Buffer.concat(chunks);
        resolve(new Response(bytes, { status, headers }));
      });
    });
    request.end(payload);
  });
}

export const repositoryAccess = (name: string, ...actions: string[]): AccessEntry => ({
  type: 'repository',
  name,
  actions,
});

export const catalogAccess: AccessEntry = { type: 'registry', name: 'catalog', actions: ['*'] };
