/**
 * An import against an upstream that answers garbage: an HTTP server on loopback, started by
 * the test, serving what no honest registry would (bad JSON, manifests and blobs that do not
 * match their digests or lengths, a redirect to a refused address, a token endpoint that
 * answers no token, rate limits). The transfer runs with a real filesystem store and an
 * in-memory region: whatever fails, the bad bytes are never at their blob key, and nothing is
 * linked or pushed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ImportRequest,
  type ManifestInfo,
  type StoreUsage,
  ImportRequest as ImportRequestSchema,
} from '@meridian/contracts';
import { computeDigest } from '@meridian/oci';
import { AddressPolicy } from '@meridian/outbound';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { ImportFailure } from '@meridian/outbound';
import { ImportRegion, type LocalManifest } from '../src/imports/import-region';
import { ImportTransfer } from '../src/imports/import-transfer';

class InMemoryRegion extends ImportRegion {
  readonly pushed: string[] = [];
  readonly linked: string[] = [];

  findManifest(): Promise<LocalManifest | undefined> {
    return Promise.resolve(undefined);
  }
  usage(): Promise<StoreUsage> {
    return Promise.resolve({ bytes: 0, blobs: 0, repositories: [] });
  }
  writeLock(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  linkBlob(repository: string, digest: string): Promise<void> {
    this.linked.push(`${repository}@${digest}`);
    return Promise.resolve();
  }
  putManifest(repository: string, reference: string): Promise<ManifestInfo> {
    this.pushed.push(`${repository}:${reference}`);
    return Promise.resolve({ digest: reference, mediaType: '', size: 0 });
  }
}

type Route = (request: IncomingMessage, response: ServerResponse) => void;

describe('an import against an upstream that answers garbage', () => {
  let server: Server;
  let host: string;
  let storeDir: string;
  let store: FilesystemStorageDriver;
  const routes = new Map<string, Route>();

  const layer = randomBytes(4096);
  const layerDigest = computeDigest(layer);
  const config = Buffer.from('{"os":"linux"}');
  const configDigest = computeDigest(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layerDigest,
          size: layer.length,
        },
      ],
    }),
  );

  beforeAll(async () => {
    server = createServer((request, response) => {
      const route = routes.get(request.url ?? '');
      if (route) route(request, response);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    storeDir = await mkdtemp(join(tmpdir(), 'meridian-hostile-upstream-'));
    store = new FilesystemStorageDriver({ rootDirectory: storeDir });
    await store.init();
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await rm(storeDir, { recursive: true, force: true });
  });

  beforeEach(() => routes.clear());

  function serveManifest(repository: string, body: Buffer, headers: Record<string, string> = {}) {
    routes.set(`/v2/${repository}/manifests/1`, (_request, response) =>
      response
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': String(body.length),
          ...headers,
        })
        .end(body),
    );
  }

  function serveBlob(repository: string, digest: string, body: Buffer, length = body.length) {
    routes.set(`/v2/${repository}/blobs/${digest}`, (_request, response) =>
      response.writeHead(200, { 'content-length': String(length) }).end(body),
    );
  }

  async function attempt(
    repository: string,
  ): Promise<{ failure: ImportFailure; region: InMemoryRegion }> {
    const region = new InMemoryRegion();
    const sut = new ImportTransfer(store, region, {
      policy: new AddressPolicy(['127.0.0.1']),
      insecureHosts: [host],
      stallTimeoutMs: 2_000,
    });
    const request: ImportRequest = ImportRequestSchema.parse({
      source: `${host}/${repository}:1`,
      target: 'target/app:1',
    });
    const failure = await sut
      .run({ request, context: {} }, () => undefined)
      .then(
        () => {
          throw new Error('the import succeeded');
        },
        (error: unknown) => error as ImportFailure,
      );
    expect(failure).toBeInstanceOf(ImportFailure);
    expect(region.pushed).toEqual([]);
    expect(region.linked).toEqual([]);
    // the layer is what the upstream lies about; the config, verified, may be in the store,
    // linked to nothing (garbage collection's to take), as after an interrupted push
    expect(await store.stat(blobKey(layerDigest))).toBeUndefined();
    return { failure, region };
  }

  it('refuses a manifest that is not JSON', async () => {
    serveManifest('bad-json', Buffer.from('{"schemaVersion": 2,'));
    const { failure } = await attempt('bad-json');
    expect(failure.reason).toBe('UPSTREAM_INVALID');
    expect(failure.message).toMatch(/not valid UTF-8 JSON/);
  });

  it('refuses a manifest whose digest is not the one the upstream announces', async () => {
    serveManifest('lying-digest', manifest, { 'docker-content-digest': computeDigest('other') });
    const { failure } = await attempt('lying-digest');
    expect(failure.reason).toBe('DIGEST_MISMATCH');
  });

  it('refuses a blob longer than its descriptor says, and one whose bytes do not match', async () => {
    serveManifest('long-blob', manifest);
    serveBlob('long-blob', configDigest, config);
    serveBlob('long-blob', layerDigest, Buffer.concat([layer, Buffer.from('more')]));
    const long = await attempt('long-blob');
    expect(long.failure.reason).toBe('UPSTREAM_INVALID');
    expect(long.failure.message).toMatch(/announced as 4096 bytes, the upstream sends 4100/);

    serveManifest('wrong-bytes', manifest);
    serveBlob('wrong-bytes', configDigest, config);
    serveBlob('wrong-bytes', layerDigest, randomBytes(layer.length));
    const wrong = await attempt('wrong-bytes');
    expect(wrong.failure.reason).toBe('DIGEST_MISMATCH');
  });

  it('refuses a redirect to an address the policy refuses', async () => {
    serveManifest('redirect', manifest);
    serveBlob('redirect', configDigest, config);
    routes.set(`/v2/redirect/blobs/${layerDigest}`, (_request, response) =>
      response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    );
    const { failure } = await attempt('redirect');
    expect(failure.reason).toBe('UPSTREAM_REFUSED');
    expect(failure.message).toMatch(/169\.254\.169\.254/);
  });

  it('says a token endpoint that answers no token is invalid, and a 429 may pass', async () => {
    routes.set('/v2/token-garbage/manifests/1', (_request, response) =>
      response
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="x"` })
        .end(),
    );
    routes.set('/token?service=x&scope=repository%3Atoken-garbage%3Apull', (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"nope": true}'),
    );
    const token = await attempt('token-garbage');
    expect(token.failure.reason).toBe('UPSTREAM_INVALID');
    expect(token.failure.message).toMatch(/no token/);

    routes.set('/v2/limited/manifests/1', (_request, response) => response.writeHead(429).end());
    const limited = await attempt('limited');
    expect(limited.failure).toMatchObject({ reason: 'UPSTREAM_RATE_LIMITED', retryable: true });
  });

  it('times out an upstream that accepts the request and never answers', async () => {
    routes.set('/v2/silent/manifests/1', () => undefined);
    const { failure } = await attempt('silent');
    expect(failure).toMatchObject({ reason: 'UPSTREAM_TIMEOUT', retryable: true });
  });
});
