/**
 * Input no well-behaved client sends, each answered with a 4xx in the OCI error shape (and
 * `Docker-Distribution-API-Version`), never a 500 or a broken connection: NUL bytes and
 * lone surrogates that the database cannot hold, headers that do not parse, URLs that do
 * not decode, manifests too large to read, and manifests that describe their content
 * wrongly (sizes that are not the blobs' sizes, keys given twice).
 */
import { connect } from 'node:net';
import { mediaTypes } from '@meridian/oci';
import {
  blobOf,
  errorCode,
  expectStatus,
  imageManifest,
  manifestOf,
  pushBlob,
  pushImage,
  putManifest,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

interface RawResponse {
  /** every status line received, informational ones (100 Continue) first */
  statusLines: string[];
  body: string;
  /** how the connection ended: the gateway closed it, or it was reset */
  ending: 'closed' | 'reset';
}

/**
 * Sends the request head, then (unless it waits for 100 Continue and none comes) the body,
 * and reads what comes back until the gateway closes the connection.
 */
function rawExchange(
  registry: RegistryUnderTest,
  head: string,
  body: Buffer,
  options: { waitForContinue?: boolean } = {},
): Promise<RawResponse> {
  const { port } = new URL(registry.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let bodySent = false;
    const sendBody = (): void => {
      if (bodySent) return;
      bodySent = true;
      socket.write(body);
    };
    socket.on('connect', () => {
      socket.write(head);
      if (!options.waitForContinue) sendBody();
    });
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (received.startsWith('HTTP/1.1 100')) sendBody();
    });
    let ending: RawResponse['ending'] = 'closed';
    socket.on('error', () => (ending = 'reset'));
    socket.on('close', () => {
      const statusLines = received.match(/^HTTP\/1\.1 \d{3}[^\r]*/gm) ?? [];
      const bodyStart = received.lastIndexOf('\r\n\r\n');
      resolve({ statusLines, body: received.slice(bodyStart + 4), ending });
    });
  });
}

describe('malformed input', () => {
  let registry: RegistryUnderTest;
  const name = 'malformed/app';
  let pushed: Awaited<ReturnType<typeof pushImage>>;

  beforeAll(async () => {
    registry = await startRegistry();
    pushed = await pushImage(registry, name, 'kept');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  async function expectOciError(response: Response, status: number, code: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await errorCode(response)).toBe(code);
  }

  describe('NUL bytes', () => {
    it.each([
      ['/v2/_catalog?last=%00'],
      [`/v2/${name}/tags/list?last=%00`],
      [`/v2/${name}/tags/list?n=2&last=a%00b`],
    ])('refuses %s with 400', async (path) => {
      await expectOciError(await registry.request(path), 400, 'REQUEST_INVALID');
    });

    it('refuses a management API resource name with a NUL with 400', async () => {
      const response = await registry.anonymousRequest('/api/v1/tokens/a%00b', {
        headers: {
          authorization: `Basic ${Buffer.from(`${registry.admin.username}:${registry.admin.password}`).toString('base64')}`,
        },
      });

      await expectOciError(response, 400, 'REQUEST_INVALID');
    });

    it('refuses a referrers artifactType with a NUL with 400', async () => {
      const path = `/v2/${name}/referrers/${pushed.manifest.digest}?artifactType=%00`;
      await expectOciError(await registry.request(path), 400, 'REQUEST_INVALID');
    });

    it('refuses a login whose user name holds a NUL with 401, without asking the auth service', async () => {
      const basic = Buffer.from(`${registry.admin.username}\u0000:x`).toString('base64');
      const response = await registry.anonymousRequest('/oauth2/token?service=meridian', {
        headers: { authorization: `Basic ${basic}` },
      });

      await expectOciError(response, 401, 'UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      // the auth service never saw it: nothing to count as a failed login
      const names = registry.auth.tokenRequests.map((request) =>
        request.credentials?.grant === 'password' ? request.credentials.username : undefined,
      );
      expect(names.filter((name) => name?.includes('\u0000'))).toEqual([]);
    });

    it.each([
      ['a NUL', '\u0000'],
      ['a lone surrogate', '\ud800'],
    ])('refuses a manifest whose annotations hold %s with MANIFEST_INVALID', async (_kind, bad) => {
      const manifest = imageManifest(pushed.config, [pushed.layer], {
        annotations: { note: `a${bad}b` },
      });

      const response = await putManifest(registry, name, 'annotated', manifest);

      await expectOciError(response, 400, 'MANIFEST_INVALID');
    });
  });

  describe('headers', () => {
    it('refuses a manifest PUT with Content-Type: null as MANIFEST_INVALID', async () => {
      const response = await registry.request(`/v2/${name}/manifests/nulltype`, {
        method: 'PUT',
        headers: { 'content-type': 'null' },
        body: pushed.manifest.body,
      });

      await expectOciError(response, 400, 'MANIFEST_INVALID');
    });

    it.each([
      ['not base64', 'Basic !!!'],
      ['without a colon', `Basic ${Buffer.from('admin').toString('base64')}`],
      ['without credentials', 'Basic'],
    ])('answers a token request whose Basic header is %s with 401', async (_kind, header) => {
      const response = await registry.anonymousRequest('/oauth2/token?service=meridian', {
        headers: { authorization: header },
      });

      await expectOciError(response, 401, 'UNAUTHORIZED');
    });
  });

  describe('URLs', () => {
    it.each([['/v2/a%zz/tags/list'], ['/api/v1/a%zz'], ['/v2/a%zz/manifests/latest']])(
      'answers %s in the OCI error shape',
      async (path) => {
        const response = await registry.request(path);

        expect(response.status).toBe(400);
        expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
        expect(await errorCode(response)).toBeDefined();
      },
    );
  });

  describe('manifests too large', () => {
    const big = 5 * 1024 * 1024;

    it('answers 413 to a manifest over 4 MiB sent with Expect: 100-continue, before any of its body', async () => {
      const path = `/v2/${name}/manifests/expecting`;
      const head = [
        `PUT ${path} HTTP/1.1`,
        'host: 127.0.0.1',
        `authorization: ${await registry.authorization(path)}`,
        `content-type: ${mediaTypes.ociManifest}`,
        `content-length: ${big}`,
        'expect: 100-continue',
        '',
        '',
      ].join('\r\n');

      const response = await rawExchange(registry, head, Buffer.alloc(big, 0x20), {
        waitForContinue: true,
      });

      expect(response.statusLines).toEqual(['HTTP/1.1 413 Payload Too Large']);
      expect(JSON.parse(response.body)).toMatchObject({ errors: [{ code: 'MANIFEST_TOO_LARGE' }] });
    });

    it('answers 413 to an 8 MiB manifest sent whole, without resetting the connection', async () => {
      const size = 8 * 1024 * 1024;
      const path = `/v2/${name}/manifests/whole`;
      const head = [
        `PUT ${path} HTTP/1.1`,
        'host: 127.0.0.1',
        `authorization: ${await registry.authorization(path)}`,
        `content-type: ${mediaTypes.ociManifest}`,
        `content-length: ${size}`,
        '',
        '',
      ].join('\r\n');

      const response = await rawExchange(registry, head, Buffer.alloc(size, 0x20));

      expect(response.statusLines).toEqual(['HTTP/1.1 413 Payload Too Large']);
      expect(JSON.parse(response.body)).toMatchObject({ errors: [{ code: 'MANIFEST_TOO_LARGE' }] });
      expect(response.ending).toBe('closed');
    });
  });

  describe('manifests that describe their content wrongly', () => {
    it('refuses a layer whose declared size is not its size', async () => {
      const layer = blobOf('x'.repeat(177));
      await pushBlob(registry, name, layer);
      const manifest = imageManifest(pushed.config, [{ ...layer, size: 999 }]);

      const response = await putManifest(registry, name, 'wrong-size', manifest);

      await expectOciError(response, 400, 'MANIFEST_INVALID');
    });

    it('refuses an index whose child is declared with another size', async () => {
      const child = pushed.manifest;
      const index = manifestOf(
        {
          schemaVersion: 2,
          mediaType: mediaTypes.ociIndex,
          manifests: [{ mediaType: child.mediaType, digest: child.digest, size: 100 }],
        },
        mediaTypes.ociIndex,
      );

      const response = await putManifest(registry, name, 'wrong-child', index);

      await expectOciError(response, 400, 'MANIFEST_INVALID');
      // declared with its true size, the same index is taken
      const right = manifestOf(
        {
          schemaVersion: 2,
          mediaType: mediaTypes.ociIndex,
          manifests: [
            { mediaType: child.mediaType, digest: child.digest, size: child.body.length },
          ],
        },
        mediaTypes.ociIndex,
      );
      await expectStatus(await putManifest(registry, name, 'right-child', right), 201);
    });

    it('refuses a manifest that gives a key twice', async () => {
      const json = pushed.manifest.body.toString();
      const body = json.replace(
        '"schemaVersion":2,',
        `"schemaVersion":2,"config":{"mediaType":"${mediaTypes.ociConfig}","digest":"${pushed.layer.digest}","size":${pushed.layer.size}},`,
      );
      expect(body).not.toBe(json);

      const response = await registry.request(`/v2/${name}/manifests/twice`, {
        method: 'PUT',
        headers: { 'content-type': mediaTypes.ociManifest },
        body,
      });

      await expectOciError(response, 400, 'MANIFEST_INVALID');
    });
  });
});
