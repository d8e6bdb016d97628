import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { RegistryError } from '@meridian/contracts';
import { createDigester, sha256Digest } from '@meridian/oci';
import { FilesystemStorageDriver } from '@meridian/storage';
import { appendChunk } from './append-chunk';

/** A request body as node hands it over: a stream that knows whether it arrived whole. */
function requestBody(): PassThrough & { complete: boolean } {
  const body = Object.assign(new PassThrough(), { complete: false });
  body.on('end', () => (body.complete = true));
  return body;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(appendChunk.name, () => {
  let directory: string;
  let storage: FilesystemStorageDriver;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'meridian-append-'));
    storage = new FilesystemStorageDriver({ rootDirectory: directory });
    await storage.init();
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('stores the body and hashes it on the way', async () => {
    const uploadId = randomUUID();
    const state = await storage.startUpload(uploadId);
    const bytes = randomBytes(3 * 1024 * 1024);
    const body = requestBody();
    const digester = createDigester();

    const appending = appendChunk({
      storage,
      uploadId,
      state,
      body: body as unknown as IncomingMessage,
      digester,
    });
    body.end(bytes);
    const next = await appending;

    expect(next.size).toBe(bytes.length);
    expect(digester.digest()).toBe(sha256Digest(bytes));
    expect(await readAll(await storage.readUpload(uploadId, next))).toEqual(bytes);
  });

  it.each([
    ['longer', 100, 60],
    ['shorter', 100, 140],
  ])(
    'refuses a body %s than declared with SIZE_INVALID and keeps the upload as it was',
    async (_kind, sent, declared) => {
      const uploadId = randomUUID();
      const state = await storage.startUpload(uploadId);
      const body = requestBody();

      const appending = appendChunk({
        storage,
        uploadId,
        state,
        body: body as unknown as IncomingMessage,
        digester: createDigester(),
        expectedBytes: declared,
      });
      body.end(randomBytes(sent));

      await expect(appending).rejects.toMatchObject({ code: 'SIZE_INVALID' });
      expect(await readAll(await storage.readUpload(uploadId, state))).toHaveLength(0);
    },
  );

  it('keeps nothing of a body cut off midway', async () => {
    const uploadId = randomUUID();
    const state = await storage.startUpload(uploadId);
    const body = requestBody();

    const appending = appendChunk({
      storage,
      uploadId,
      state,
      body: body as unknown as IncomingMessage,
      digester: createDigester(),
      expectedBytes: 1000,
    });
    body.write(randomBytes(400));
    body.destroy(new Error('aborted'));

    await expect(appending).rejects.toBeInstanceOf(RegistryError);
    await expect(appending).rejects.toMatchObject({ code: 'BLOB_UPLOAD_INVALID' });
    expect(await readAll(await storage.readUpload(uploadId, state))).toHaveLength(0);
  });

  it.each([
    ['before the append began', true],
    ['while the append waited for it', false],
  ])('fails a body that arrived whole but was dropped unread %s', async (_when, droppedFirst) => {
    const uploadId = randomUUID();
    const state = await storage.startUpload(uploadId);
    const body = requestBody();
    body.complete = true;
    const drop = (): void => void body.destroy();
    if (droppedFirst) drop();

    const appending = appendChunk({
      storage,
      uploadId,
      state,
      body: body as unknown as IncomingMessage,
      digester: createDigester(),
      expectedBytes: 5,
    });
    if (!droppedFirst) drop();

    await expect(appending).rejects.toMatchObject({ code: 'BLOB_UPLOAD_INVALID' });
    expect(await readAll(await storage.readUpload(uploadId, state))).toHaveLength(0);
  });
});
