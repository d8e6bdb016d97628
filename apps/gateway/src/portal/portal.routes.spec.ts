import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { portalContentSecurityPolicy, portalDirFrom, registerPortalRoutes } from './portal.routes';

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A request over a real socket (light-my-request's `inject` does not load under jest). */
async function get(server: FastifyInstance, url: string): Promise<Answer> {
  const address = await server.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
  const base = address ?? `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  const response = await fetch(`${base}${url}`, { redirect: 'manual' });
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

describe(registerPortalRoutes.name, () => {
  let dir: string;
  let sut: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-portal-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Meridian</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'favicon.svg'), '<svg/>');
    await writeFile(join(tmpdir(), 'meridian-portal-secret.txt'), 'top-secret-content');
    sut = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
    registerPortalRoutes(sut, dir);
  });

  afterAll(async () => {
    await sut.close();
    await rm(dir, { recursive: true, force: true });
    await rm(join(tmpdir(), 'meridian-portal-secret.txt'), { force: true });
  });

  it('serves index.html at /portal/ with a strict CSP and no caching', async () => {
    const response = await get(sut, '/portal/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<title>Meridian</title>');
    expect(response.headers['content-security-policy']).toBe(portalContentSecurityPolicy);
    expect(portalContentSecurityPolicy).toContain("default-src 'self'");
    expect(portalContentSecurityPolicy).toContain("frame-ancestors 'none'");
    expect(portalContentSecurityPolicy).not.toContain('unsafe-inline');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends /portal to /portal/, so relative URLs resolve in the folder', async () => {
    const response = await get(sut, '/portal');
    expect(response.statusCode).toBe(308);
    expect(response.headers['location']).toBe('/portal/');
  });

  it('answers a client route with index.html', async () => {
    const response = await get(sut, '/portal/repositories/team%2Fapp?tab=tags');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>Meridian</title>');
  });

  it('caches hashed assets for a year and 404s a missing one', async () => {
    const asset = await get(sut, '/portal/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toBe('console.log(1)');

    const missing = await get(sut, '/portal/assets/index-old.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-security-policy']).toBe(portalContentSecurityPolicy);
  });

  it('serves other files revalidated', async () => {
    const response = await get(sut, '/portal/favicon.svg');
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('never serves a file outside its folder', async () => {
    for (const url of [
      '/portal/../meridian-portal-secret.txt',
      '/portal/%2e%2e/meridian-portal-secret.txt',
      '/portal/assets/%2e%2e%2f%2e%2e%2fmeridian-portal-secret.txt',
      '/portal/%00',
      '/portal/%E0%A4%A',
    ]) {
      const response = await get(sut, url);
      expect(response.body).not.toContain('top-secret-content');
      expect(response.statusCode).toBeLessThan(500);
    }
  });

  it('says how to build the portal when it is not built', async () => {
    const bare = Fastify();
    registerPortalRoutes(bare, join(dir, 'nothing-here'));
    const response = await get(bare, '/portal/');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('nx run portal:build');
    await bare.close();
  });
});

describe(portalDirFrom.name, () => {
  it('finds the built portal under the dist/ folder a compiled gateway runs from, however deep', () => {
    // the gateway bundled into one file, and its modules compiled one by one
    expect(portalDirFrom('/app/dist/apps/gateway/src')).toBe('/app/dist/apps/portal');
    expect(portalDirFrom('/app/dist/apps/gateway/src/portal')).toBe('/app/dist/apps/portal');
  });

  it('finds it under the repository root when the gateway runs from its sources', () => {
    expect(portalDirFrom('/work/meridian/apps/gateway/src/portal')).toBe(
      '/work/meridian/dist/apps/portal',
    );
  });
});
