/**
 * ACR's data-plane reads (`/acr/v1`) through the gateway, with the real manifest service:
 * the catalog (and `/v2/_catalog`) of a repository-scoped token, a repository's attributes,
 * tags and manifests by name and by time with their paging, and what bad input and unknown
 * names are answered.
 */
import { request as httpRequest } from 'node:http';
import type { AccessEntry } from '@meridian/contracts';
import { mediaTypes } from '@meridian/oci';
import {
  type Manifest,
  errorCode,
  expectStatus,
  manifestOf,
  pushImage,
  putManifest,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

const repo = 'acr/app';
const unlocked = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };

describe('ACR data-plane reads at the gateway', () => {
  let registry: RegistryUnderTest;
  const images = new Map<string, Manifest>();
  let index: Manifest;

  beforeAll(async () => {
    registry = await startRegistry();
    // pushed in this order, so name, push time and reverse push time each order them apart
    for (const tag of ['c', 'a', 'b'])
      images.set(tag, (await pushImage(registry, repo, tag)).manifest);
    await pushImage(registry, 'acr/other', 'v1');
    await pushImage(registry, 'private/secret', 'v1');
    const child = images.get('a')!;
    index = manifestOf(
      {
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: [
          {
            mediaType: child.mediaType,
            digest: child.digest,
            size: child.body.length,
            platform: { architecture: 'arm64', os: 'linux' },
          },
        ],
      },
      mediaTypes.ociIndex,
    );
    await expectStatus(await putManifest(registry, repo, 'multi', index), 201);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  /**
   * GET with a token granting `access`, as the auth service signs it for a caller; the path
   * goes as written (fetch would resolve `..` first).
   */
  async function get(path: string, access: AccessEntry[]): Promise<Response> {
    const token = await registry.auth.mint({ access, sub: 'reader', kind: 'service-principal' });
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${registry.url}/`, {
        path,
        headers: { authorization: `Bearer ${token}` },
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
          resolve(
            new Response(Buffer.concat(chunks), { status: response.statusCode ?? 0, headers }),
          );
        });
      });
      request.end();
    });
  }

  const metadata = (name: string): AccessEntry => ({
    type: 'repository',
    name,
    actions: ['metadata_read'],
  });
  const catalog: AccessEntry = { type: 'registry', name: 'catalog', actions: ['*'] };
  const json = async <T>(response: Response, status = 200): Promise<T> =>
    (await expectStatus(response, status)).json() as Promise<T>;

  describe('catalog', () => {
    it('lists every repository for a token of a role, paged with a Link', async () => {
      expect(await json(await get('/acr/v1/_catalog', [catalog]))).toEqual({
        repositories: ['acr/app', 'acr/other', 'private/secret'],
      });
      const first = await get('/acr/v1/_catalog?n=2', [catalog]);
      expect(await json(first)).toEqual({ repositories: ['acr/app', 'acr/other'] });
      expect(first.headers.get('link')).toBe('</acr/v1/_catalog?n=2&last=acr%2Fother>; rel="next"');
      const rest = await get('/acr/v1/_catalog?n=2&last=acr%2Fother', [catalog]);
      expect(await json(rest)).toEqual({ repositories: ['private/secret'] });
      expect(rest.headers.get('link')).toBeNull();
    });

    it('lists only the repositories a repository-scoped token may read, on /acr/v1 and /v2', async () => {
      const scoped = [{ ...catalog, repositories: ['acr/*'] }];
      for (const path of ['/acr/v1/_catalog', '/v2/_catalog']) {
        expect(await json(await get(path, scoped))).toEqual({
          repositories: ['acr/app', 'acr/other'],
        });
      }
      const exact = [{ ...catalog, repositories: ['private/secret'] }];
      expect(await json(await get('/v2/_catalog?n=1', exact))).toEqual({
        repositories: ['private/secret'],
      });
      const none = [{ ...catalog, repositories: [] }];
      expect(await json(await get('/acr/v1/_catalog', none))).toEqual({ repositories: [] });
    });

    it('needs the catalog scope', async () => {
      const response = await get('/acr/v1/_catalog', [metadata(repo)]);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('scope="registry:catalog:*"');
    });
  });

  describe('repository', () => {
    it('answers its attributes', async () => {
      const body = await json<Record<string, unknown>>(
        await get(`/acr/v1/${repo}`, [metadata(repo)]),
      );
      expect(body).toEqual({
        registry: registry.config.auth.registryName,
        imageName: repo,
        createdTime: expect.any(String),
        lastUpdateTime: expect.any(String),
        manifestCount: 4,
        tagCount: 4,
        changeableAttributes: unlocked,
      });
      expect(Date.parse(body['lastUpdateTime'] as string)).toBeGreaterThanOrEqual(
        Date.parse(body['createdTime'] as string),
      );
    });

    it('needs metadata_read on the repository, and names it in the challenge', async () => {
      const pullOnly = await get(`/acr/v1/${repo}`, [
        { type: 'repository', name: repo, actions: ['pull'] },
      ]);
      expect(pullOnly.status).toBe(401);
      expect(pullOnly.headers.get('www-authenticate')).toContain(
        `scope="repository:${repo}:metadata_read"`,
      );
      expect((await get(`/acr/v1/${repo}`, [metadata('acr/other')])).status).toBe(401);
    });

    it('answers 404 NAME_UNKNOWN for an unknown repository', async () => {
      for (const path of [
        'acr/nope',
        'acr/nope/_tags',
        'acr/nope/_manifests',
        'acr/nope/_tags/a',
      ]) {
        const response = await get(`/acr/v1/${path}`, [metadata('acr/nope')]);
        expect(response.status).toBe(404);
        expect(await errorCode(response)).toBe('NAME_UNKNOWN');
      }
    });
  });

  describe('tags', () => {
    type Tags = { registry: string; imageName: string; tags: { name: string }[] };
    const names = (body: Tags) => body.tags.map((tag) => tag.name);

    it('lists tags with their digests, times and attributes, by name', async () => {
      const body = await json<Tags>(await get(`/acr/v1/${repo}/_tags`, [metadata(repo)]));
      expect(body.registry).toBe(registry.config.auth.registryName);
      expect(body.imageName).toBe(repo);
      expect(names(body)).toEqual(['a', 'b', 'c', 'multi']);
      expect(body.tags[0]).toEqual({
        name: 'a',
        digest: images.get('a')!.digest,
        createdTime: expect.any(String),
        lastUpdateTime: expect.any(String),
        signed: false,
        changeableAttributes: unlocked,
      });
    });

    it('orders by time both ways and pages in that order', async () => {
      const desc = await json<Tags>(
        await get(`/acr/v1/${repo}/_tags?orderby=timedesc`, [metadata(repo)]),
      );
      expect(names(desc)).toEqual(['multi', 'b', 'a', 'c']);
      const asc = await json<Tags>(
        await get(`/acr/v1/${repo}/_tags?orderby=timeasc`, [metadata(repo)]),
      );
      expect(names(asc)).toEqual(['c', 'a', 'b', 'multi']);

      const first = await get(`/acr/v1/${repo}/_tags?orderby=timedesc&n=2`, [metadata(repo)]);
      expect(names(await json<Tags>(first))).toEqual(['multi', 'b']);
      const link = first.headers.get('link');
      expect(link).toBe(`</acr/v1/${repo}/_tags?n=2&last=b&orderby=timedesc>; rel="next"`);
      const next = link!.slice(1, link!.indexOf('>'));
      const second = await get(next, [metadata(repo)]);
      expect(names(await json<Tags>(second))).toEqual(['a', 'c']);
      expect(second.headers.get('link')).toBeNull();
    });

    it('lists the tags of one digest', async () => {
      const digest = images.get('b')!.digest;
      const body = await json<Tags>(
        await get(`/acr/v1/${repo}/_tags?digest=${digest}`, [metadata(repo)]),
      );
      expect(names(body)).toEqual(['b']);
    });

    it('answers one tag', async () => {
      const body = await json<{ tag: unknown }>(
        await get(`/acr/v1/${repo}/_tags/c`, [metadata(repo)]),
      );
      expect(body).toEqual({
        registry: registry.config.auth.registryName,
        imageName: repo,
        tag: expect.objectContaining({ name: 'c', digest: images.get('c')!.digest }),
      });
    });

    it('answers 404 MANIFEST_UNKNOWN for an unknown tag, and for one that cannot exist', async () => {
      for (const tag of ['nope', '-bad']) {
        const response = await get(`/acr/v1/${repo}/_tags/${tag}`, [metadata(repo)]);
        expect(response.status).toBe(404);
        expect(await errorCode(response)).toBe('MANIFEST_UNKNOWN');
      }
    });
  });

  describe('manifests', () => {
    type Listed = {
      digest: string;
      imageSize: number;
      mediaType: string;
      tags: string[];
      references?: unknown[];
    };

    it('lists manifests with sizes, platforms, tags and attributes, newest first', async () => {
      const body = await json<{ manifests: Listed[] }>(
        await get(`/acr/v1/${repo}/_manifests?orderby=timedesc`, [metadata(repo)]),
      );
      expect(body.manifests.map((m) => m.tags)).toEqual([['multi'], ['b'], ['a'], ['c']]);
      const image = body.manifests[1]!;
      expect(image).toEqual({
        digest: images.get('b')!.digest,
        imageSize: expect.any(Number),
        createdTime: expect.any(String),
        lastUpdateTime: expect.any(String),
        mediaType: mediaTypes.ociManifest,
        configMediaType: mediaTypes.ociConfig,
        architecture: 'amd64',
        os: 'linux',
        tags: ['b'],
        changeableAttributes: unlocked,
      });
      // the manifest, its config and its 2 KiB layer
      expect(image.imageSize).toBeGreaterThan(2048 + images.get('b')!.body.length);
    });

    it('pages manifests by digest with a Link', async () => {
      const first = await get(`/acr/v1/${repo}/_manifests?n=3`, [metadata(repo)]);
      const page = await json<{ manifests: Listed[] }>(first);
      const digests = [...images.values(), index].map((m) => m.digest).sort();
      expect(page.manifests.map((m) => m.digest)).toEqual(digests.slice(0, 3));
      expect(first.headers.get('link')).toBe(
        `</acr/v1/${repo}/_manifests?n=3&last=${encodeURIComponent(digests[2]!)}>; rel="next"`,
      );
    });

    it("answers one manifest, an index with its children's platforms", async () => {
      const body = await json<{ manifest: Listed }>(
        await get(`/acr/v1/${repo}/_manifests/${index.digest}`, [metadata(repo)]),
      );
      expect(body.manifest).toMatchObject({
        digest: index.digest,
        mediaType: mediaTypes.ociIndex,
        tags: ['multi'],
        references: [{ digest: images.get('a')!.digest, architecture: 'arm64', os: 'linux' }],
      });
    });

    it('answers 404 MANIFEST_UNKNOWN for an unknown digest', async () => {
      const response = await get(`/acr/v1/${repo}/_manifests/sha256:${'0'.repeat(64)}`, [
        metadata(repo),
      ]);
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('MANIFEST_UNKNOWN');
    });
  });

  describe('bad input', () => {
    it.each([
      [`/acr/v1/${repo}/_tags?n=abc`, 'PAGINATION_NUMBER_INVALID'],
      [`/acr/v1/_catalog?n=-1`, 'PAGINATION_NUMBER_INVALID'],
      [`/acr/v1/${repo}/_manifests?n=1.5`, 'PAGINATION_NUMBER_INVALID'],
      [`/acr/v1/${repo}/_tags?orderby=newest`, 'REQUEST_INVALID'],
      [`/acr/v1/Acr/App/_tags`, 'NAME_INVALID'],
      [`/acr/v1/acr/%2E%2E/app`, 'NAME_INVALID'],
      [`/acr/v1/acr//app/_tags`, 'NAME_INVALID'],
      [`/acr/v1/${repo}/_manifests/sha256:abc`, 'DIGEST_INVALID'],
      [`/acr/v1/${repo}/_tags?digest=latest`, 'DIGEST_INVALID'],
    ])('%s → 400 %s', async (path, code) => {
      const response = await get(path, [catalog, metadata(repo)]);
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe(code);
    });

    it('answers n=0 with an empty page', async () => {
      expect(await json(await get(`/acr/v1/${repo}/_tags?n=0`, [metadata(repo)]))).toEqual({
        registry: registry.config.auth.registryName,
        imageName: repo,
        tags: [],
      });
    });
  });
});
