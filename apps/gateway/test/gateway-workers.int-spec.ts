/**
 * The gateway as the launcher runs it: `main.ts` in its own process, here with two workers
 * sharing the port. Every request below opens its own connection, so consecutive requests
 * of one upload reach different workers.
 */
import { request as httpRequest } from 'node:http';
import { expectStatus, randomBlob, startUpload } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('gateway workers', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry({ gatewayWorkers: 2 });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const onNewConnection = (init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), connection: 'close' },
  });

  it('finishes a chunked upload whose chunks land on different workers', async () => {
    const blob = randomBlob(600_000);
    const location = await startUpload(registry, 'workers/chunks');

    for (let offset = 0; offset < blob.size; offset += 100_000) {
      const chunk = blob.bytes.subarray(offset, offset + 100_000);
      const response = await registry.request(
        location,
        onNewConnection({
          method: 'PATCH',
          headers: { 'content-range': `${offset}-${offset + chunk.length - 1}` },
          body: chunk,
        }),
      );
      await expectStatus(response, 202);
    }
    const closed = await registry.request(
      `${location}?digest=${blob.digest}`,
      onNewConnection({ method: 'PUT' }),
    );

    expect(closed.status).toBe(201);
    const fetched = await registry.request(
      `/v2/workers/chunks/blobs/${blob.digest}`,
      onNewConnection(),
    );
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('lets one of two racing chunks for the same offset in, and refuses the other', async () => {
    const first = randomBlob(2_000_000);
    const second = randomBlob(2_000_000);
    const location = await startUpload(registry, 'workers/race');

    const authorization = await registry.authorization(location);
    const statuses = await Promise.all(
      [first, second].map((blob) =>
        patchOnOwnConnection(`${registry.url}${location}`, blob.bytes, authorization),
      ),
    );

    expect(statuses.sort()).toEqual([202, 416]);
    const status = await registry.request(location, onNewConnection());
    expect(status.headers.get('range')).toBe('0-1999999');
    // whichever chunk won, the upload holds exactly its bytes, not a mix of both
    const uploadId = location.split('/').at(-1)!;
    const stored = await readAll(
      await registry.store.readUpload(uploadId, { size: 2_000_000, driver: {} }),
    );
    const winner = stored.equals(first.bytes) ? first : second;
    expect(stored.equals(winner.bytes)).toBe(true);
    const closed = await registry.request(
      `${location}?digest=${winner.digest}`,
      onNewConnection({ method: 'PUT' }),
    );
    expect(closed.status).toBe(201);
  });

  it('answers the base route from every worker', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await registry.request('/v2/', onNewConnection());
      expect(response.status).toBe(200);
    }
  });

  it('serves /metrics on the health port the workers share, and not on the registry port', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const metrics = await fetch(`${registry.healthUrl}/metrics`, onNewConnection());
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('meridian_');
    }
    const onRegistryPort = await registry.anonymousRequest('/metrics', onNewConnection());
    await onRegistryPort.arrayBuffer();
    expect(onRegistryPort.status).toBe(404);
  });
});

function patchOnOwnConnection(url: string, body: Buffer, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'PATCH',
      headers: {
        authorization,
        'content-range': `0-${body.length - 1}`,
        'content-length': body.length,
        connection: 'close',
      },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.end(body);
  });
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
