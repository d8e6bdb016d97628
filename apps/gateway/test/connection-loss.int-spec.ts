/**
 * A client whose connection ends just after its body arrived, before the gateway read it:
 * a half-close after the body, or a Content-Length shorter than what follows (node then
 * parses the rest as a broken next request and drops the connection). Whatever the request
 * held (an upload's lock, a file handle) is given back, so the next request on that upload
 * answers at once. A client that goes silent mid-body is cut after the idle timeout, one
 * that sends slowly but steadily is not. Written with raw sockets: fetch cannot send these.
 */
import { connect } from 'node:net';
import { mediaTypes } from '@meridian/oci';
import { blobOf, expectStatus, imageManifest, pushBlob, startUpload } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

/**
 * Sends `raw` on a fresh connection, half-closing it after when asked, and waits until the
 * gateway has closed it too.
 */
function sendAndHangUp(
  registry: RegistryUnderTest,
  raw: Buffer,
  halfClose: boolean,
): Promise<void> {
  const { port } = new URL(registry.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      halfClose ? socket.end(raw) : socket.write(raw),
    );
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]);
}

/** The response within `ms`, or a failure saying the request hung. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

const idleSeconds = 2;

describe('connections lost or silent mid-request', () => {
  let registry: RegistryUnderTest;
  const name = 'lost/app';

  beforeAll(async () => {
    registry = await startRegistry({
      gatewayEnv: { MERIDIAN_HTTP_IDLE_TIMEOUT_SECONDS: String(idleSeconds) },
    });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it.each([
    ['half-closes after the body', 'hello', 'hello', true],
    ['sends more bytes than its Content-Length', 'hello', 'helloworld', false],
  ])(
    'releases the upload when a PATCH client %s',
    async (_kind, declared, sent, halfClose) => {
      const location = await startUpload(registry, name);
      const authorization = await registry.authorization(location);

      await within(
        5_000,
        sendAndHangUp(
          registry,
          rawRequest(
            'PATCH',
            location,
            {
              authorization,
              'content-type': 'application/octet-stream',
              'content-length': String(Buffer.byteLength(declared)),
            },
            Buffer.from(sent),
          ),
          halfClose,
        ),
      );

      // the chunk was kept whole (read before the connection ended) or not at all, and the
      // upload goes on from where it stands
      const status = await within(5_000, registry.request(location));
      await expectStatus(status, 204);
      const range = status.headers.get('range');
      expect(['0-0', '0-4']).toContain(range);
      const blob = blobOf('hello world');
      const rest = range === '0-4' ? blob.bytes.subarray(5) : blob.bytes;
      const next = await within(
        5_000,
        registry.request(`${location}?digest=${blob.digest}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: rest,
        }),
      );
      await expectStatus(next, 201);
    },
    30_000,
  );

  it('answers a manifest PUT whose client half-closes after the body, and keeps nothing half-read', async () => {
    const config = blobOf('{"os":"linux"}');
    const layer = blobOf('layer');
    await pushBlob(registry, name, config);
    await pushBlob(registry, name, layer);
    const manifest = imageManifest(config, [layer]);
    const path = `/v2/${name}/manifests/half`;

    await within(
      5_000,
      sendAndHangUp(
        registry,
        rawRequest(
          'PUT',
          path,
          {
            authorization: await registry.authorization(path),
            'content-type': mediaTypes.ociManifest,
            'content-length': String(manifest.body.length),
          },
          manifest.body,
        ),
        true,
      ),
    );

    const again = await within(
      5_000,
      registry.request(path, {
        method: 'PUT',
        headers: { 'content-type': mediaTypes.ociManifest },
        body: manifest.body,
      }),
    );
    await expectStatus(again, 201);
  });

  it('closes a connection silent mid-body after the idle timeout, and releases the upload', async () => {
    const location = await startUpload(registry, name);
    const { port } = new URL(registry.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      rawRequest(
        'PATCH',
        location,
        {
          authorization: await registry.authorization(location),
          'content-type': 'application/octet-stream',
          'content-length': '10',
        },
        Buffer.from('hello'),
      ),
    );

    await within((idleSeconds + 3) * 1000, closed);
    const status = await within(5_000, registry.request(location));
    await expectStatus(status, 204);
    expect(status.headers.get('range')).toBe('0-0');
  }, 30_000);

  it('does not cut a body that arrives slowly but steadily', async () => {
    const location = await startUpload(registry, name);
    const blob = blobOf('x'.repeat(8));
    const { port } = new URL(registry.url);
    const socket = connect(Number(port), '127.0.0.1');
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (data: Buffer) => (text += data.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    socket.write(
      rawRequest(
        'PUT',
        `${location}?digest=${blob.digest}`,
        {
          authorization: await registry.authorization(location),
          'content-type': 'application/octet-stream',
          'content-length': String(blob.size),
          connection: 'close',
        },
        Buffer.alloc(0),
      ),
    );
    // one byte every half idle timeout: the whole body takes four idle timeouts
    for (const byte of blob.bytes) {
      await new Promise((resolve) => setTimeout(resolve, (idleSeconds * 1000) / 2));
      socket.write(Buffer.of(byte));
    }

    expect((await answer).split('\r\n', 1)[0]).toBe('HTTP/1.1 201 Created');
  }, 30_000);
});
