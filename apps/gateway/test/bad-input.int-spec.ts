/**
 * Bad input gets a clear OCI error, and nothing changes: each case is followed by a read
 * that shows the registry as it was. (Upload cases, digest mismatch on close, chunks out of
 * order, foreign upload ids and clients hanging up mid-chunk, are in blob-uploads.int-spec;
 * invalid ranges in blobs.int-spec.)
 */
import { request as httpRequest } from 'node:http';
import { mediaTypes } from '@meridian/oci';
import {
  blobOf,
  errorCode,
  imageManifest,
  manifestOf,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('bad input', () => {
  let registry: RegistryUnderTest;
  const name = 'bad/app';

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry, name, 'kept');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  async function expectTagAbsent(tag: string): Promise<void> {
    const response = await registry.request(`/v2/${name}/manifests/${tag}`);
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('MANIFEST_UNKNOWN');
  }

  async function expectTagsUnchanged(): Promise<void> {
    const response = await registry.request(`/v2/${name}/tags/list`);
    expect(await response.json()).toEqual({ name, tags: ['kept'] });
  }

  async function putRaw(
    tag: string,
    contentType: string,
    body: string | Buffer,
  ): Promise<Response> {
    return registry.request(`/v2/${name}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': contentType },
      body,
    });
  }

  describe('manifests', () => {
    it.each([
      [
        'truncated JSON',
        '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"',
      ],
      ['not JSON at all', 'hello'],
      ['a JSON array', '[]'],
      ['no config', `{"schemaVersion":2,"mediaType":"${mediaTypes.ociManifest}","layers":[]}`],
    ])('refuses %s with 400 MANIFEST_INVALID', async (_kind, body) => {
      const response = await putRaw('malformed', mediaTypes.ociManifest, body);

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('MANIFEST_INVALID');
      await expectTagAbsent('malformed');
    });

    it('refuses an unknown media type', async () => {
      const manifest = manifestOf({
        schemaVersion: 2,
        mediaType: 'application/vnd.example.thing+json',
      });

      const response = await putRaw(
        'unknown-type',
        'application/vnd.example.thing+json',
        manifest.body,
      );

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('MANIFEST_INVALID');
      await expectTagAbsent('unknown-type');
    });

    it('refuses a Content-Type that contradicts the mediaType of the body', async () => {
      const { config, layer } = await pushImage(registry, 'bad/other', 'v1');
      const manifest = imageManifest(config, [layer]);

      const response = await putRaw('mismatched', mediaTypes.dockerManifest, manifest.body);

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('MANIFEST_INVALID');
      await expectTagAbsent('mismatched');
    });

    it('refuses a manifest that references a blob the repository lacks', async () => {
      const config = blobOf('{"os":"linux"}');
      await pushBlob(registry, name, config);
      const missing = randomBlob(64);

      const response = await putManifest(
        registry,
        name,
        'dangling',
        imageManifest(config, [missing]),
      );

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('MANIFEST_BLOB_UNKNOWN');
      await expectTagAbsent('dangling');
    });

    it('refuses a manifest over 4 MiB announced by Content-Length with 413', async () => {
      const body = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);

      const response = await putRaw('huge', mediaTypes.ociManifest, body);

      expect(response.status).toBe(413);
      expect(await errorCode(response)).toBe('MANIFEST_TOO_LARGE');
      await expectTagAbsent('huge');
    });

    it('refuses a chunked manifest body as soon as it passes 4 MiB', async () => {
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          // far more than the cap, sent until the gateway stops reading
          if (sent > 64 * 1024 * 1024) return controller.close();
          sent += 256 * 1024;
          controller.enqueue(new Uint8Array(256 * 1024).fill(0x20));
        },
      });

      const response = await registry.request(`/v2/${name}/manifests/endless`, {
        method: 'PUT',
        headers: { 'content-type': mediaTypes.ociManifest },
        body: endless,
        duplex: 'half',
      } as RequestInit);

      expect(response.status).toBe(413);
      expect(await errorCode(response)).toBe('MANIFEST_TOO_LARGE');
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      await expectTagAbsent('endless');
    });

    it('refuses an unsupported digest algorithm in a manifest path', async () => {
      const response = await registry.request(`/v2/${name}/manifests/sha384:${'ab'.repeat(48)}`);

      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]).toMatchObject({ code: 'DIGEST_INVALID' });
      expect(body.errors[0]!.message).toMatch(/unsupported digest algorithm sha384/);
    });

    it('refuses an invalid tag', async () => {
      const response = await putRaw('-starts-with-dash', mediaTypes.ociManifest, '{}');

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('TAG_INVALID');
      await expectTagsUnchanged();
    });
  });

  describe('repository names', () => {
    it.each([
      ['a parent component', `/v2/bad/../escape/manifests/v1`],
      ['an encoded parent component', `/v2/bad/%2e%2e/escape/manifests/v1`],
      ['uppercase', `/v2/Bad/App/manifests/v1`],
      ['an empty component', `/v2/bad//app/manifests/v1`],
      ['a trailing slash component', `/v2/bad/app//manifests/v1`],
      ['an encoded slash', `/v2/bad%2Fapp/manifests/v1`],
      ['a name over 255 characters', `/v2/${'a'.repeat(256)}/manifests/v1`],
    ])(
      'refuses a name with %s with 400 NAME_INVALID, on every route',
      async (_kind, manifestPath) => {
        const base = manifestPath.slice(0, manifestPath.indexOf('/manifests/'));
        const attempts: [string, string, string?][] = [
          ['PUT', manifestPath, '{}'],
          ['GET', manifestPath],
          ['POST', `${base}/blobs/uploads/`],
          ['GET', `${base}/tags/list`],
          ['GET', `${base}/blobs/${randomBlob(1).digest}`],
        ];
        for (const [method, path, body] of attempts) {
          const response = await rawRequest(registry.url, method, path, body);
          expect({ path, method, status: response.status }).toEqual({ path, method, status: 400 });
          expect(JSON.parse(response.body).errors[0].code).toBe('NAME_INVALID');
        }
        const catalog = await registry.request('/v2/_catalog');
        const { repositories } = (await catalog.json()) as { repositories: string[] };
        expect(repositories.every((repository) => /^bad\/(app|other)$/.test(repository))).toBe(
          true,
        );
      },
    );
  });

  describe('pagination', () => {
    it.each(['-1', 'abc', '1.5', '0x10'])(
      'refuses n=%s with 400 PAGINATION_NUMBER_INVALID',
      async (n) => {
        for (const path of [`/v2/${name}/tags/list?n=${n}`, `/v2/_catalog?n=${n}`]) {
          const response = await registry.request(path);
          expect(response.status).toBe(400);
          expect(await errorCode(response)).toBe('PAGINATION_NUMBER_INVALID');
        }
      },
    );

    it('answers a huge n with what there is', async () => {
      const response = await registry.request(`/v2/${name}/tags/list?n=99999999999999999999`);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name, tags: ['kept'] });
    });
  });
});

/** A request with its path sent exactly as written (fetch would resolve `..` first). */
function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/`, {
      method,
      path,
      headers: body ? { 'content-type': 'application/json' } : {},
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.end(body);
  });
}
