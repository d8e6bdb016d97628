/**
 * The web portal's static files (apps/portal, built by Vite into dist/apps/portal) under
 * `/portal`, registered on Fastify directly: outside `/v2`, `/acr`, `/oauth2` and `/api`, so
 * no registry token or management guard applies to them (they hold no data; the portal asks
 * the public APIs for it with the user's own token).
 * - A path naming a file serves it; any other path under `/portal` is a client route of the
 *   single-page app and gets `index.html`, except under `/portal/assets/`, where a missing
 *   file is a plain 404 (a stale hashed name must not come back as HTML).
 * - Hashed assets never change under their name: cached for a year, immutable. `index.html`
 *   is revalidated every time, so a new build is picked up at once.
 * - Every answer carries a strict Content-Security-Policy: scripts, styles and requests from
 *   the gateway's own origin only, no inline script, no framing (clickjacking), no plugins.
 *   The portal keeps its token in memory and sends it as a Bearer header, never a cookie, so
 *   a cross-site request carries no credential: there is nothing for CSRF to ride on.
 * - A path that would leave the portal's folder (`..`, encoded or not) is a 404.
 * Without a built portal (`nx run portal:build` not run) `/portal` answers 404 saying so.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const portalPathPrefix = '/portal';

/**
 * Where `nx run portal:build` puts the portal: dist/apps/portal, under the dist/ folder the
 * gateway runs from when it runs compiled (bundled into dist/apps/gateway/src/main.js: this
 * module's `__dirname` is that file's folder), under the repository root when it runs from
 * its sources (`npm run start:dev`; apps/portal holds the sources, not the bundle).
 */
export const defaultPortalDir = portalDirFrom(__dirname);

export function portalDirFrom(moduleDir: string): string {
  const parts = moduleDir.split(sep);
  const dist = parts.lastIndexOf('dist');
  return dist >= 0
    ? join(parts.slice(0, dist + 1).join(sep), 'apps', 'portal')
    : resolve(moduleDir, '..', '..', '..', '..', 'dist', 'apps', 'portal');
}

export const portalContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const immutable = 'public, max-age=31536000, immutable';

export function registerPortalRoutes(fastify: FastifyInstance, portalDir = defaultPortalDir): void {
  const root = resolve(portalDir);
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    setSecurityHeaders(reply);
    const path = relativePath(request.url);
    if (path === undefined) return reply.code(404).type(contentTypes['.txt']!).send('not found\n');
    if (path === '' && !request.url.split('?')[0]!.endsWith('/')) {
      // `/portal` → `/portal/`: the app's relative asset URLs resolve under the folder
      return reply.redirect(`${portalPathPrefix}/`, 308);
    }
    const file = path === '' ? undefined : await fileAt(root, path);
    if (file !== undefined) {
      reply.header('cache-control', path.startsWith('assets/') ? immutable : 'no-cache');
      return sendFile(reply, file);
    }
    if (path.startsWith('assets/')) {
      return reply.code(404).type(contentTypes['.txt']!).send('not found\n');
    }
    const index = await fileAt(root, 'index.html');
    if (index === undefined) {
      return reply
        .code(404)
        .type(contentTypes['.txt']!)
        .send('the portal is not built: run `npx nx run portal:build`\n');
    }
    reply.header('cache-control', 'no-cache');
    return sendFile(reply, index);
  };
  fastify.get(portalPathPrefix, serve);
  fastify.get(`${portalPathPrefix}/*`, serve);
}

function setSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', portalContentSecurityPolicy);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

/** The path below `/portal/`, decoded; undefined when it does not decode or climbs out. */
function relativePath(url: string): string | undefined {
  const pathname = url.split('?')[0]!.slice(portalPathPrefix.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const normalized = normalize(`/${decoded}`).replace(/^\/+|\/+$/g, '');
  if (normalized.split('/').includes('..')) return undefined;
  return normalized;
}

async function fileAt(root: string, path: string): Promise<string | undefined> {
  const file = join(root, path);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const stats = await stat(file).catch(() => undefined);
  return stats?.isFile() ? file : undefined;
}

function sendFile(reply: FastifyReply, file: string): FastifyReply {
  return reply
    .type(contentTypes[extname(file)] ?? 'application/octet-stream')
    .send(createReadStream(file));
}
