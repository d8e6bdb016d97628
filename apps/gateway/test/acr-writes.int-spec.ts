/**
 * ACR's data-plane writes (`/acr/v1` PATCH and DELETE) through the gateway, with the real
 * manifest service: changeable attributes set on a repository, a tag and a manifest and
 * enforced on `/v2` and `/acr/v1` alike (a locked delete or push is 403 DENIED naming the
 * lock, a read lock refuses pulls, `listEnabled=false` hides from listings only), deletes of a
 * tag, a manifest and a whole repository (each firing webhooks' `delete` action, as a `/v2`
 * DELETE does), who may do each, and bad input refused with nothing changed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@meridian/testing';
import { type Manifest, expectStatus, pushImage, putManifest } from './oci-requests';
import { acrRequest, catalogAccess, repositoryAccess } from './acr-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

const unlocked = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
const zeroDigest = `sha256:${'0'.repeat(64)}`;

interface OciError {
  code: string;
  message: string;
  detail?: Record<string, unknown>;
}

describe('ACR data-plane writes at the gateway', () => {
  let registry: RegistryUnderTest;
  /** what the webhook receiver was sent */
  const delivered: Array<{ action: string; target?: Record<string, unknown> }> = [];
  const closeReceiver: Array<() => Promise<unknown>> = [];
  let receiverUrl: string;

  beforeAll(async () => {
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        delivered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as never);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    closeReceiver.push(() => new Promise((done) => receiver.close(done)));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    registry = await startRegistry({
      moreServices: ['webhook'],
      servicesEnv: { MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    });
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
    for (const close of closeReceiver) await close();
  });

  /** Everything an Owner's token grants on `name`. */
  const owner = (name: string) => [
    repositoryAccess(name, 'pull', 'push', 'delete', 'metadata_read', 'metadata_write'),
    catalogAccess,
  ];
  const send = (method: string, path: string, name: string, body?: unknown) =>
    acrRequest(registry, path, { method, access: owner(name), body });
  const patch = (path: string, name: string, body: unknown) => send('PATCH', path, name, body);
  const json = async <T>(response: Response, status = 200): Promise<T> =>
    (await expectStatus(response, status)).json() as Promise<T>;
  const errorOf = async (response: Response, status: number): Promise<OciError> => {
    const body = (await response.json()) as { errors?: OciError[] };
    expect({ status: response.status, body }).toEqual({
      status,
      body: { errors: [expect.objectContaining({ code: expect.any(String) })] },
    });
    return body.errors![0]!;
  };
  const attributesOf = async (path: string, name: string, key?: 'tag' | 'manifest') => {
    const body = await json<Record<string, { changeableAttributes: unknown }>>(
      await send('GET', path, name),
    );
    return key === undefined ? body['changeableAttributes'] : body[key]!.changeableAttributes;
  };

  describe('PATCH', () => {
    const repo = 'locks/app';
    let v1: Manifest;

    beforeAll(async () => {
      v1 = (await pushImage(registry, repo, 'v1')).manifest;
      await pushImage(registry, repo, 'v2');
    });

    it('sets a repository attribute and answers the repository as its GET does', async () => {
      const body = await json<Record<string, unknown>>(
        await patch(`/acr/v1/${repo}`, repo, { writeEnabled: false }),
      );
      expect(body).toEqual({
        registry: registry.config.auth.registryName,
        imageName: repo,
        createdTime: expect.any(String),
        lastUpdateTime: expect.any(String),
        manifestCount: 2,
        tagCount: 2,
        changeableAttributes: { ...unlocked, writeEnabled: false },
      });
      expect(await attributesOf(`/acr/v1/${repo}`, repo)).toEqual({
        ...unlocked,
        writeEnabled: false,
      });

      for (const reference of ['v3', v1.digest]) {
        const error = await errorOf(await putManifest(registry, repo, reference, v1), 403);
        expect(error.code).toBe('DENIED');
        expect(error.message).toContain('writeEnabled');
      }

      await expectStatus(await patch(`/acr/v1/${repo}`, repo, { writeEnabled: true }), 200);
      await expectStatus(await putManifest(registry, repo, 'v1', v1), 201);
    });

    it('locks a tag against re-pointing and deleting, on /v2 and /acr/v1', async () => {
      const body = await json<{ tag: { name: string; changeableAttributes: unknown } }>(
        await patch(`/acr/v1/${repo}/_tags/v2`, repo, { writeEnabled: false }),
      );
      expect(body.tag).toMatchObject({
        name: 'v2',
        changeableAttributes: { ...unlocked, writeEnabled: false },
      });

      const repoint = await errorOf(await putManifest(registry, repo, 'v2', v1), 403);
      expect(repoint).toMatchObject({ code: 'DENIED', message: expect.stringContaining('v2') });
      for (const response of [
        await registry.request(`/v2/${repo}/manifests/v2`, { method: 'DELETE' }),
        await send('DELETE', `/acr/v1/${repo}/_tags/v2`, repo),
      ]) {
        const error = await errorOf(response, 403);
        expect(error.code).toBe('DENIED');
        expect(error.message).toContain('locked');
      }
      await expectStatus(await registry.request(`/v2/${repo}/manifests/v2`), 200);

      await expectStatus(
        await patch(`/acr/v1/${repo}/_tags/v2`, repo, { writeEnabled: true }),
        200,
      );
    });

    it('refuses pulls of a read-locked manifest, by digest and by tag', async () => {
      const body = await json<{ manifest: { digest: string; changeableAttributes: unknown } }>(
        await patch(`/acr/v1/${repo}/_manifests/${v1.digest}`, repo, { readEnabled: false }),
      );
      expect(body.manifest).toMatchObject({
        digest: v1.digest,
        changeableAttributes: { ...unlocked, readEnabled: false },
      });
      for (const reference of [v1.digest, 'v1']) {
        const pull = await registry.request(`/v2/${repo}/manifests/${reference}`);
        expect((await errorOf(pull, 403)).code).toBe('DENIED');
      }
      await expectStatus(
        await patch(`/acr/v1/${repo}/_manifests/${v1.digest}`, repo, { readEnabled: true }),
        200,
      );
      await expectStatus(await registry.request(`/v2/${repo}/manifests/v1`), 200);
    });

    it('hides a listEnabled=false tag and repository from listings, not from reads by name', async () => {
      const hidden = 'locks/hidden';
      await pushImage(registry, hidden, 'shown');
      await pushImage(registry, hidden, 'secret');
      await expectStatus(
        await patch(`/acr/v1/${hidden}/_tags/secret`, hidden, { listEnabled: false }),
        200,
      );
      const tags = await json<{ tags: { name: string }[] }>(
        await send('GET', `/acr/v1/${hidden}/_tags`, hidden),
      );
      expect(tags.tags.map((tag) => tag.name)).toEqual(['shown']);
      const listed = await json<{ tags: string[] }>(
        await registry.request(`/v2/${hidden}/tags/list`),
      );
      expect(listed.tags).toEqual(['shown']);
      await expectStatus(await registry.request(`/v2/${hidden}/manifests/secret`), 200);
      await expectStatus(await send('GET', `/acr/v1/${hidden}/_tags/secret`, hidden), 200);

      await expectStatus(await patch(`/acr/v1/${hidden}`, hidden, { listEnabled: false }), 200);
      for (const path of ['/acr/v1/_catalog', '/v2/_catalog']) {
        const catalog = await json<{ repositories: string[] }>(await send('GET', path, hidden));
        expect(catalog.repositories).not.toContain(hidden);
        expect(catalog.repositories).toContain(repo);
      }
      await expectStatus(await send('GET', `/acr/v1/${hidden}`, hidden), 200);
      await expectStatus(await registry.request(`/v2/${hidden}/manifests/shown`), 200);
    });

    it('needs metadata_write on the repository, and names it in the challenge', async () => {
      for (const access of [
        [repositoryAccess(repo, 'pull', 'push', 'delete', 'metadata_read')],
        [repositoryAccess('locks/other', 'metadata_write')],
      ]) {
        const response = await acrRequest(registry, `/acr/v1/${repo}/_tags/v1`, {
          method: 'PATCH',
          access,
          body: { deleteEnabled: false },
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain(
          `scope="repository:${repo}:metadata_write"`,
        );
      }
      expect(await attributesOf(`/acr/v1/${repo}/_tags/v1`, repo, 'tag')).toEqual(unlocked);
    });

    it.each([
      ['an unknown attribute', { writeEnabled: false, frozen: true }],
      ['a value that is not a boolean', { writeEnabled: 'false' }],
      ['an empty object', {}],
      ['an empty body', ''],
      ['a body that is not JSON', '{writeEnabled: false'],
      ['an array', [{ writeEnabled: false }]],
      ['teleportEnabled, which Meridian does not have', { teleportEnabled: true }],
    ])('refuses %s with 400 REQUEST_INVALID, changing nothing', async (_what, body) => {
      for (const path of [`/acr/v1/${repo}`, `/acr/v1/${repo}/_tags/v1`]) {
        const error = await errorOf(await patch(path, repo, body), 400);
        expect(error.code).toBe('REQUEST_INVALID');
      }
      expect(await attributesOf(`/acr/v1/${repo}`, repo)).toEqual(unlocked);
      expect(await attributesOf(`/acr/v1/${repo}/_tags/v1`, repo, 'tag')).toEqual(unlocked);
    });

    it('answers 404 for what does not exist', async () => {
      const cases: [string, string, string][] = [
        ['/acr/v1/locks/nope', 'locks/nope', 'NAME_UNKNOWN'],
        [`/acr/v1/${repo}/_tags/nope`, repo, 'MANIFEST_UNKNOWN'],
        [`/acr/v1/${repo}/_manifests/${zeroDigest}`, repo, 'MANIFEST_UNKNOWN'],
      ];
      for (const [path, name, code] of cases) {
        const error = await errorOf(await patch(path, name, { writeEnabled: false }), 404);
        expect(error.code).toBe(code);
      }
    });
  });

  describe('DELETE', () => {
    it('deletes a tag and answers 202, leaving its manifest', async () => {
      const repo = 'deletes/tags';
      const { manifest } = await pushImage(registry, repo, 'v1');
      await expectStatus(await putManifest(registry, repo, 'v2', manifest), 201);
      await expectStatus(await send('DELETE', `/acr/v1/${repo}/_tags/v2`, repo), 202);
      expect((await errorOf(await send('GET', `/acr/v1/${repo}/_tags/v2`, repo), 404)).code).toBe(
        'MANIFEST_UNKNOWN',
      );
      expect((await registry.request(`/v2/${repo}/manifests/v2`)).status).toBe(404);
      await expectStatus(await registry.request(`/v2/${repo}/manifests/${manifest.digest}`), 200);
    });

    it('deletes a manifest by digest with its tags, and serves it no more', async () => {
      const repo = 'deletes/manifests';
      const { manifest } = await pushImage(registry, repo, 'v1');
      // the body is now in the gateway's cache
      await expectStatus(await registry.request(`/v2/${repo}/manifests/${manifest.digest}`), 200);
      await expectStatus(
        await send('DELETE', `/acr/v1/${repo}/_manifests/${manifest.digest}`, repo),
        202,
      );
      for (const reference of [manifest.digest, 'v1']) {
        const pull = await registry.request(`/v2/${repo}/manifests/${reference}`);
        expect((await errorOf(pull, 404)).code).toBe('MANIFEST_UNKNOWN');
      }
      const gone = await send('GET', `/acr/v1/${repo}/_manifests/${manifest.digest}`, repo);
      expect((await errorOf(gone, 404)).code).toBe('MANIFEST_UNKNOWN');
    });

    it('deletes a repository: every manifest and tag, from every listing', async () => {
      const repo = 'deletes/whole';
      const first = (await pushImage(registry, repo, 'v1')).manifest;
      await pushImage(registry, repo, 'v2');

      const body = await json<{ deletedManifests: number }>(
        await send('DELETE', `/acr/v1/${repo}`, repo),
        202,
      );
      expect(body).toEqual({ deletedManifests: 2 });

      for (const reference of ['v1', 'v2', first.digest]) {
        const pull = await registry.request(`/v2/${repo}/manifests/${reference}`);
        expect(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN']).toContain((await errorOf(pull, 404)).code);
      }
      expect((await errorOf(await send('GET', `/acr/v1/${repo}`, repo), 404)).code).toBe(
        'NAME_UNKNOWN',
      );
      for (const path of ['/acr/v1/_catalog', '/v2/_catalog']) {
        const catalog = await json<{ repositories: string[] }>(await send('GET', path, repo));
        expect(catalog.repositories).not.toContain(repo);
      }

      // the name can be used again, and starts empty
      await pushImage(registry, repo, 'v3');
      const again = await json<{ manifestCount: number; tagCount: number }>(
        await send('GET', `/acr/v1/${repo}`, repo),
      );
      expect(again).toMatchObject({ manifestCount: 1, tagCount: 1 });
    });

    it('refuses to delete what a lock protects, with 403 DENIED naming the lock', async () => {
      const repo = 'deletes/locked';
      const { manifest } = await pushImage(registry, repo, 'v1');
      await expectStatus(
        await patch(`/acr/v1/${repo}/_tags/v1`, repo, { deleteEnabled: false }),
        200,
      );

      for (const path of [
        `/acr/v1/${repo}/_tags/v1`,
        `/acr/v1/${repo}/_manifests/${manifest.digest}`,
        `/acr/v1/${repo}`,
      ]) {
        const error = await errorOf(await send('DELETE', path, repo), 403);
        expect(error.code).toBe('DENIED');
        expect(error.message).toContain('deleteEnabled');
      }
      await expectStatus(await registry.request(`/v2/${repo}/manifests/v1`), 200);

      await expectStatus(
        await patch(`/acr/v1/${repo}/_tags/v1`, repo, { deleteEnabled: true }),
        200,
      );
      await expectStatus(await send('DELETE', `/acr/v1/${repo}`, repo), 202);
    });

    it('needs delete on the repository', async () => {
      const repo = 'deletes/guarded';
      await pushImage(registry, repo, 'v1');
      const response = await acrRequest(registry, `/acr/v1/${repo}`, {
        method: 'DELETE',
        access: [repositoryAccess(repo, 'pull', 'push', 'metadata_read', 'metadata_write')],
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain(
        `scope="repository:${repo}:delete"`,
      );
      await expectStatus(await registry.request(`/v2/${repo}/manifests/v1`), 200);

      // AcrDelete: delete alone is enough
      const deleted = await acrRequest(registry, `/acr/v1/${repo}/_tags/v1`, {
        method: 'DELETE',
        access: [repositoryAccess(repo, 'delete')],
      });
      expect(deleted.status).toBe(202);
    });

    it('answers 404 for what does not exist', async () => {
      const repo = 'deletes/present';
      await pushImage(registry, repo, 'v1');
      const cases: [string, string, string][] = [
        ['/acr/v1/deletes/nope', 'deletes/nope', 'NAME_UNKNOWN'],
        [`/acr/v1/${repo}/_tags/nope`, repo, 'MANIFEST_UNKNOWN'],
        [`/acr/v1/${repo}/_manifests/${zeroDigest}`, repo, 'MANIFEST_UNKNOWN'],
      ];
      for (const [path, name, code] of cases) {
        expect((await errorOf(await send('DELETE', path, name), 404)).code).toBe(code);
      }
    });
  });

  it("fires webhooks' delete action for each delete, as a /v2 DELETE does", async () => {
    const repo = 'hooks/app';
    const token = await registry.auth.mint({ sub: 'owner', kind: 'admin' });
    await expectStatus(
      await fetch(`${registry.url}/api/v1/webhooks/deletes`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ serviceUri: receiverUrl, actions: ['delete'], scope: 'hooks/*:*' }),
      }),
      201,
    );
    const { manifest } = await pushImage(registry, repo, 'v1');
    await expectStatus(await putManifest(registry, repo, 'v2', manifest), 201);
    await pushImage(registry, repo, 'v3');

    await expectStatus(await send('DELETE', `/acr/v1/${repo}/_tags/v2`, repo), 202);
    await expectStatus(
      await send('DELETE', `/acr/v1/${repo}/_manifests/${manifest.digest}`, repo),
      202,
    );
    await expectStatus(await send('DELETE', `/acr/v1/${repo}`, repo), 202);

    const deletes = await expectEventually(
      () => {
        const seen = delivered.filter((body) => body.action === 'delete');
        expect(seen).toHaveLength(3);
        return seen.map((body) => body.target);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(deletes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ repository: repo, tag: 'v2', digest: manifest.digest }),
        { repository: repo, digest: manifest.digest },
        { repository: repo },
      ]),
    );
  });

  describe('bad paths', () => {
    it.each([
      ['PATCH', '/acr/v1/Locks/App', 'NAME_INVALID', 400],
      ['DELETE', '/acr/v1/locks/%2E%2E/app', 'NAME_INVALID', 400],
      ['DELETE', '/acr/v1/locks//app/_tags/v1', 'NAME_INVALID', 400],
      ['PATCH', '/acr/v1/locks/app/_manifests/sha256:abc', 'DIGEST_INVALID', 400],
      ['DELETE', '/acr/v1/locks/app/_manifests/latest', 'DIGEST_INVALID', 400],
      ['DELETE', '/acr/v1/locks/app/_tags/-bad', 'MANIFEST_UNKNOWN', 404],
      ['PATCH', '/acr/v1/_catalog', 'UNSUPPORTED', 405],
      ['DELETE', '/acr/v1/locks/app/_tags', 'UNSUPPORTED', 405],
      ['PATCH', '/acr/v1/locks/app/_manifests', 'UNSUPPORTED', 405],
    ])('%s %s → %s', async (method, path, code, status) => {
      const response = await send(method, path, 'locks/app', { writeEnabled: false });
      expect((await errorOf(response, status)).code).toBe(code);
    });

    it('deletes nothing when the digest names a blob, not a manifest', async () => {
      const repo = 'deletes/blob';
      const { layer } = await pushImage(registry, repo, 'v1');
      const response = await send('DELETE', `/acr/v1/${repo}/_manifests/${layer.digest}`, repo);
      expect((await errorOf(response, 404)).code).toBe('MANIFEST_UNKNOWN');
      await expectStatus(await registry.request(`/v2/${repo}/blobs/${layer.digest}`), 200);
    });
  });
});
