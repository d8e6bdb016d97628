/**
 * The one suite every StorageDriver passes (distribution's `testsuites.Driver`): a driver
 * spec calls `describeStorageDriverConformance` with a factory that returns a fresh, empty
 * store each time (a new directory, a new bucket). Content is compared by sha256; blobs are
 * kept under sha256 keys, and under sha512 keys where a test is about that layout.
 *
 * Sizes are chosen around S3's 5 MiB minimum part size, the one limit that shapes a
 * driver's upload logic, so a driver that ignores it fails here rather than in production.
 *
 * What a write killed mid-way leaves behind is the driver's own business, so each driver
 * tells the suite how to leave it (`leaveInterruptedPut`, as a kill -9 during a `put` would).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { blobKey, uploadPrefix } from './paths';
import { type StorageDriver, StorageNotFoundError, type UploadState } from './storage-driver';
import { DigestMismatchError } from './verify-digest';

const MiB = 1024 * 1024;
const timeoutMs = 120_000;

export interface InterruptedWrites<D extends StorageDriver> {
  /** Leaves in `driver` what a `put` of `key` killed mid-way would leave, just now. */
  leaveInterruptedPut(driver: D, key: string): Promise<void>;
}

export function describeStorageDriverConformance<D extends StorageDriver>(
  name: string,
  makeDriver: () => Promise<D>,
  interrupted: InterruptedWrites<D>,
): void {
  describe(`${name} storage driver conformance`, () => {
    let sut: D;

    beforeEach(async () => {
      sut = await makeDriver();
    }, timeoutMs);

    describe('objects', () => {
      it(
        'puts a buffer and reads it back',
        async () => {
          const content = randomBytes(1000);
          const key = blobKeyOf(content);

          await sut.put(key, content);

          expect(await sut.stat(key)).toEqual({ size: 1000 });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );

      it(
        'puts a stream of known size',
        async () => {
          const content = randomBytes(3 * MiB + 17);
          const key = blobKeyOf(content);

          await sut.put(key, chunked(content, 64 * 1024), content.length);

          expect(await sut.stat(key)).toEqual({ size: content.length });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );

      it(
        'puts a stream of unknown size larger than several S3 parts',
        async () => {
          const content = randomBytes(12 * MiB + 5);
          const key = blobKeyOf(content);

          await sut.put(key, chunked(content, 256 * 1024));

          expect(await sut.stat(key)).toEqual({ size: content.length });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );

      it(
        'puts a small stream of unknown size',
        async () => {
          const content = randomBytes(10);
          const key = blobKeyOf(content);

          await sut.put(key, chunked(content, 3));

          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );

      it(
        'stores an empty object',
        async () => {
          const key = blobKeyOf(Buffer.alloc(0));

          await sut.put(key, Readable.from([]), 0);

          expect(await sut.stat(key)).toEqual({ size: 0 });
          expect((await readAll(await sut.read(key))).length).toBe(0);
        },
        timeoutMs,
      );

      it(
        'replaces an object as a whole',
        async () => {
          const key = `test/${randomUUID()}`;
          const second = randomBytes(2048);

          await sut.put(key, randomBytes(4096));
          await sut.put(key, chunked(second, 100), second.length);

          expect(await sut.stat(key)).toEqual({ size: 2048 });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(second));
        },
        timeoutMs,
      );

      it(
        'leaves nothing behind when a put body fails midway',
        async () => {
          const key = `test/${randomUUID()}`;

          await expect(
            sut.put(key, failingAfter(randomBytes(64 * 1024)), 1024 * 1024),
          ).rejects.toThrow();
          await expect(sut.put(key, failingAfter(randomBytes(64 * 1024)))).rejects.toThrow();

          expect(await sut.stat(key)).toBeUndefined();
          expect(await collect(sut.list('test/'))).toEqual([]);
        },
        timeoutMs,
      );

      it(
        'rejects with the error of a body that fails before the store reads it',
        async () => {
          const key = `test/${randomUUID()}`;
          // a pass-through that fails at once, as a digest check of a one-chunk blob does:
          // its error comes while the store is still opening where to write
          const failure = new Error('the body failed first');
          const body = new PassThrough();
          queueMicrotask(() => body.destroy(failure));

          await expect(sut.put(key, body, 10)).rejects.toBe(failure);

          expect(await sut.stat(key)).toBeUndefined();
        },
        timeoutMs,
      );

      it(
        'keeps the old object when a replacing put fails',
        async () => {
          const key = `test/${randomUUID()}`;
          const original = randomBytes(100);
          await sut.put(key, original);

          await expect(sut.put(key, failingAfter(randomBytes(10)), 20)).rejects.toThrow();

          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(original));
        },
        timeoutMs,
      );

      it(
        'refuses a body whose length differs from the declared size',
        async () => {
          const key = `test/${randomUUID()}`;

          await expect(sut.put(key, chunked(randomBytes(10), 4), 11)).rejects.toThrow();
          await expect(sut.put(key, chunked(randomBytes(12), 4), 11)).rejects.toThrow();

          expect(await sut.stat(key)).toBeUndefined();
        },
        timeoutMs,
      );

      it(
        'answers a missing object with undefined from stat and StorageNotFoundError from read',
        async () => {
          const key = blobKeyOf(randomBytes(8));

          expect(await sut.stat(key)).toBeUndefined();
          const failure = await sut.read(key).then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(failure).toBeInstanceOf(StorageNotFoundError);
          expect((failure as StorageNotFoundError).key).toBe(key);
        },
        timeoutMs,
      );

      it(
        'reads byte ranges',
        async () => {
          const content = randomBytes(256 * 1024);
          const key = blobKeyOf(content);
          await sut.put(key, content);

          const ranges = [
            { start: 0, end: 0 },
            { start: 0, end: content.length - 1 },
            { start: 1000, end: 200_000 },
            { start: content.length - 1, end: content.length - 1 },
            { start: 1000, end: content.length + 100 },
          ];
          for (const range of ranges) {
            const bytes = await readAll(await sut.read(key, range));
            expect(sha256(bytes)).toBe(sha256(content.subarray(range.start, range.end + 1)));
          }
        },
        timeoutMs,
      );

      it(
        'deletes idempotently',
        async () => {
          const key = `test/${randomUUID()}`;
          await sut.put(key, randomBytes(10));

          await sut.delete(key);
          await sut.delete(key);
          await sut.delete(`test/${randomUUID()}`);

          expect(await sut.stat(key)).toBeUndefined();
        },
        timeoutMs,
      );

      it(
        'lists every key under a prefix',
        async () => {
          const keys = ['list/a/1', 'list/a/2', 'list/a/deep/3', 'list/ab/4', 'list/b/5'];
          await Promise.all(keys.map((key) => sut.put(key, Buffer.from(key))));

          expect((await collect(sut.list('list/a/'))).sort()).toEqual([
            'list/a/1',
            'list/a/2',
            'list/a/deep/3',
          ]);
          expect((await collect(sut.list('list/a'))).sort()).toEqual(keys.slice(0, 4));
          expect((await collect(sut.list('list/'))).sort()).toEqual(keys);
          expect(await collect(sut.list('nothing/'))).toEqual([]);
        },
        timeoutMs,
      );

      it(
        'presigns a GET that serves the object, or declines',
        async () => {
          const content = randomBytes(500);
          const key = blobKeyOf(content);
          await sut.put(key, content);

          const url = await sut.presignGet(key, 60);

          if (url === undefined) return;
          const response = await fetch(url);
          expect(response.status).toBe(200);
          expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(content));
        },
        timeoutMs,
      );

      it(
        'keeps a sha512 blob beside the sha256 blob of the same bytes, each at its own key',
        async () => {
          const content = randomBytes(2000);
          const key256 = blobKeyOf(content);
          const key512 = blobKey(sha512(content));
          expect(key512).toMatch(/^blobs\/sha512\/[0-9a-f]{2}\/[0-9a-f]{128}$/);

          await sut.put(key512, chunked(content, 300), content.length);

          expect(await sut.stat(key512)).toEqual({ size: content.length });
          expect(await sut.stat(key256)).toBeUndefined();
          expect(sha512(await readAll(await sut.read(key512)))).toBe(sha512(content));
          const range = await readAll(await sut.read(key512, { start: 10, end: 19 }));
          expect(range.equals(content.subarray(10, 20))).toBe(true);
          await sut.put(key256, content);
          expect((await collect(sut.list('blobs/'))).sort()).toEqual([key256, key512].sort());
          expect(await collect(sut.list('blobs/sha512/'))).toEqual([key512]);

          const copy = await makeDriver();
          await copy.copyFrom(sut, key512, key512);
          expect(sha512(await readAll(await copy.read(key512)))).toBe(sha512(content));

          await sut.delete(key512);
          expect(await sut.stat(key512)).toBeUndefined();
          expect(await sut.stat(key256)).toEqual({ size: content.length });
        },
        timeoutMs,
      );

      it(
        'copies an object from another store',
        async () => {
          const source = await makeDriver();
          const content = randomBytes(6 * MiB + 3);
          const key = blobKeyOf(content);
          await source.put(key, content);

          await sut.copyFrom(source, key, key);

          expect(await sut.stat(key)).toEqual({ size: content.length });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
          await expect(
            sut.copyFrom(source, blobKeyOf(randomBytes(4)), 'test/copy'),
          ).rejects.toBeInstanceOf(StorageNotFoundError);
        },
        timeoutMs,
      );

      it(
        "keeps a copy that may share the source's bytes whole when the source is replaced or deleted",
        async () => {
          const source = await makeDriver();
          const content = randomBytes(100_000);
          const key = blobKeyOf(content);
          await source.put(key, content);

          await sut.copyFrom(source, key, key, { size: content.length, mayLink: true });
          await source.put(key, randomBytes(100_000));
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
          await source.delete(key);
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
          await sut.delete(key);
          expect(await sut.stat(key)).toBeUndefined();
        },
        timeoutMs,
      );

      it(
        'refuses a copy whose source is not the size asked for, copying nothing',
        async () => {
          const source = await makeDriver();
          const content = randomBytes(100_000);
          const key = blobKeyOf(content);
          await source.put(key, content);

          await expect(
            sut.copyFrom(source, key, key, { size: content.length + 1 }),
          ).rejects.toThrow(`holds ${content.length} bytes, expected ${content.length + 1}`);
          expect(await sut.stat(key)).toBeUndefined();

          await sut.copyFrom(source, key, key, { size: content.length });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );
    });

    describe('verified copies', () => {
      it(
        'copies a blob proven against its digest and size, telling every byte',
        async () => {
          const source = await makeDriver();
          const content = randomBytes(6 * MiB + 3);
          const key = blobKeyOf(content);
          await source.put(key, content);
          let told = 0;

          await sut.copyFrom(source, key, key, {
            expected: { digest: sha256(content), size: content.length },
            onBytes: (count) => (told += count),
          });

          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
          expect(told).toBe(content.length);
          await sut.delete(key);
          expect(await source.stat(key)).toEqual({ size: content.length });
        },
        timeoutMs,
      );

      it(
        'refuses a corrupt source (wrong bytes, wrong size), leaving nothing visible or behind',
        async () => {
          const source = await makeDriver();
          const content = randomBytes(2 * MiB);
          const key = blobKeyOf(content);
          const corrupt = Buffer.from(content);
          corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
          await source.put(key, corrupt);
          const truncatedKey = blobKeyOf(Buffer.concat([content, Buffer.from('+')]));
          await source.put(truncatedKey, content);

          await expect(
            sut.copyFrom(source, key, key, { expected: { digest: sha256(content) } }),
          ).rejects.toBeInstanceOf(DigestMismatchError);
          await expect(
            sut.copyFrom(source, truncatedKey, truncatedKey, {
              expected: { digest: sha256(content), size: content.length + 1 },
            }),
          ).rejects.toBeInstanceOf(DigestMismatchError);

          expect(await sut.stat(key)).toBeUndefined();
          expect(await sut.stat(truncatedKey)).toBeUndefined();
          expect(await collect(sut.list(''))).toEqual([]);
          expect(await sut.sweepInterruptedWrites(new Date(Date.now() + 60 * 60 * 1000))).toBe(0);
        },
        timeoutMs,
      );

      it(
        'replaces a corrupt object with a proven copy (a repair), and keeps it when the copy is wrong too',
        async () => {
          const source = await makeDriver();
          const content = randomBytes(100_000);
          const key = blobKeyOf(content);
          const corrupt = Buffer.from(content);
          corrupt[0] = corrupt[0]! ^ 0xff;
          await sut.put(key, corrupt);
          await source.put(key, corrupt);

          await expect(
            sut.copyFrom(source, key, key, { expected: { digest: sha256(content) } }),
          ).rejects.toBeInstanceOf(DigestMismatchError);
          expect((await readAll(await sut.read(key))).equals(corrupt)).toBe(true);

          await source.put(key, content);
          await sut.copyFrom(source, key, key, { expected: { digest: sha256(content) } });
          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
        },
        timeoutMs,
      );
    });

    describe('uploads', () => {
      it(
        'assembles many tiny chunks',
        async () => {
          const uploadId = randomUUID();
          const chunks = [
            ...Array.from({ length: 40 }, () => randomBytes(3)),
            ...Array.from({ length: 30 }, () => randomBytes(1024)),
          ];

          let state = await sut.startUpload(uploadId);
          for (const [index, chunk] of chunks.entries()) {
            state = await sut.appendUpload(
              uploadId,
              state,
              Readable.from([chunk]),
              index % 2 === 0 ? chunk.length : undefined,
            );
          }

          const content = Buffer.concat(chunks);
          expect(state.size).toBe(content.length);
          expect(sha256(await readAll(await sut.readUpload(uploadId, state)))).toBe(
            sha256(content),
          );
          await completeAndVerify(sut, uploadId, state, content);
        },
        timeoutMs,
      );

      it(
        'assembles chunks around and above the S3 minimum part size',
        async () => {
          const uploadId = randomUUID();
          const chunks: [Buffer, boolean][] = [
            [randomBytes(3 * MiB), true],
            [randomBytes(4 * MiB + 1), true],
            [randomBytes(1), false],
            [randomBytes(7 * MiB), false],
            [randomBytes(2 * MiB), true],
            [randomBytes(6 * MiB + 7), true],
            [randomBytes(11 * MiB), false],
            [randomBytes(100), true],
          ];

          let state = await sut.startUpload(uploadId);
          for (const [chunk, sizeKnown] of chunks) {
            state = await sut.appendUpload(
              uploadId,
              state,
              chunked(chunk, 256 * 1024),
              sizeKnown ? chunk.length : undefined,
            );
          }

          await completeAndVerify(
            sut,
            uploadId,
            state,
            Buffer.concat(chunks.map(([chunk]) => chunk)),
          );
        },
        timeoutMs,
      );

      it(
        'completes an upload of a single large chunk',
        async () => {
          const uploadId = randomUUID();
          const content = randomBytes(13 * MiB);

          const state = await sut.appendUpload(
            uploadId,
            await sut.startUpload(uploadId),
            chunked(content, MiB),
          );

          await completeAndVerify(sut, uploadId, state, content);
        },
        timeoutMs,
      );

      it(
        'completes an empty upload into an empty object',
        async () => {
          const uploadId = randomUUID();
          let state = await sut.startUpload(uploadId);
          state = await sut.appendUpload(uploadId, state, Readable.from([]), 0);
          state = await sut.appendUpload(uploadId, state, Readable.from([]));

          expect(state.size).toBe(0);
          expect((await readAll(await sut.readUpload(uploadId, state))).length).toBe(0);
          await completeAndVerify(sut, uploadId, state, Buffer.alloc(0));
        },
        timeoutMs,
      );

      it(
        'keeps an upload usable after chunks whose bodies fail midway',
        async () => {
          const uploadId = randomUUID();
          const good = [randomBytes(6 * MiB), randomBytes(1000), randomBytes(2 * MiB)];
          let state = await sut.startUpload(uploadId);

          state = await sut.appendUpload(uploadId, state, chunked(good[0]!, MiB), good[0]!.length);
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(6 * MiB)), 8 * MiB),
          ).rejects.toThrow();
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(12 * MiB))),
          ).rejects.toThrow();
          state = await sut.appendUpload(
            uploadId,
            state,
            Readable.from([good[1]!]),
            good[1]!.length,
          );
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(10)), 20),
          ).rejects.toThrow();
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(10))),
          ).rejects.toThrow();
          expect(sha256(await readAll(await sut.readUpload(uploadId, state)))).toBe(
            sha256(Buffer.concat(good.slice(0, 2))),
          );
          state = await sut.appendUpload(uploadId, state, chunked(good[2]!, MiB));

          await completeAndVerify(sut, uploadId, state, Buffer.concat(good));
        },
        timeoutMs,
      );

      it(
        'goes on with large chunks after a large chunk failed midway',
        async () => {
          const uploadId = randomUUID();
          const good = [randomBytes(6 * MiB), randomBytes(6 * MiB + 1), randomBytes(5 * MiB)];
          let state = await sut.startUpload(uploadId);

          state = await sut.appendUpload(uploadId, state, chunked(good[0]!, MiB), good[0]!.length);
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(16 * MiB))),
          ).rejects.toThrow();
          state = await sut.appendUpload(uploadId, state, chunked(good[1]!, MiB), good[1]!.length);
          await expect(
            sut.appendUpload(uploadId, state, failingAfter(randomBytes(16 * MiB))),
          ).rejects.toThrow();
          state = await sut.appendUpload(uploadId, state, chunked(good[2]!, MiB));

          await completeAndVerify(sut, uploadId, state, Buffer.concat(good));
        },
        timeoutMs,
      );

      it(
        'refuses a chunk whose length differs from the declared size, keeping the upload as it was',
        async () => {
          const uploadId = randomUUID();
          const first = randomBytes(100);
          let state = await sut.startUpload(uploadId);
          state = await sut.appendUpload(uploadId, state, Readable.from([first]), first.length);

          await expect(
            sut.appendUpload(uploadId, state, Readable.from([randomBytes(10)]), 11),
          ).rejects.toThrow();
          await expect(
            sut.appendUpload(uploadId, state, chunked(randomBytes(6 * MiB), MiB), 6 * MiB - 1),
          ).rejects.toThrow();

          await completeAndVerify(sut, uploadId, state, first);
        },
        timeoutMs,
      );

      it(
        'reads an upload in progress and goes on appending after it',
        async () => {
          const uploadId = randomUUID();
          const chunks = [
            randomBytes(6 * MiB),
            randomBytes(10),
            randomBytes(5 * MiB + 1),
            randomBytes(3),
          ];
          let state = await sut.startUpload(uploadId);

          for (const [index, chunk] of chunks.entries()) {
            state = await sut.appendUpload(uploadId, state, chunked(chunk, MiB), chunk.length);
            const appended = Buffer.concat(chunks.slice(0, index + 1));
            expect(sha256(await readAll(await sut.readUpload(uploadId, state)))).toBe(
              sha256(appended),
            );
          }

          await completeAndVerify(sut, uploadId, state, Buffer.concat(chunks));
        },
        timeoutMs,
      );

      it(
        'completes onto an existing key by discarding the upload',
        async () => {
          const uploadId = randomUUID();
          const content = randomBytes(7 * MiB);
          const key = blobKeyOf(content);
          await sut.put(key, content);
          const state = await sut.appendUpload(
            uploadId,
            await sut.startUpload(uploadId),
            chunked(content, MiB),
            content.length,
          );

          await sut.completeUpload(uploadId, state, key);

          expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
          expect(await collect(sut.list(uploadPrefix(uploadId)))).toEqual([]);
        },
        timeoutMs,
      );

      it(
        'aborts idempotently and leaves nothing',
        async () => {
          const uploadId = randomUUID();
          let state = await sut.startUpload(uploadId);
          state = await sut.appendUpload(uploadId, state, chunked(randomBytes(6 * MiB), MiB));
          state = await sut.appendUpload(uploadId, state, Readable.from([randomBytes(10)]), 10);

          await sut.abortUpload(uploadId, state);
          await sut.abortUpload(uploadId, state);

          expect(await collect(sut.list(uploadPrefix(uploadId)))).toEqual([]);
          expect(await collect(sut.list(''))).toEqual([]);
        },
        timeoutMs,
      );

      it(
        'completes an upload into a sha512 blob key',
        async () => {
          const content = randomBytes(6 * MiB + 11);
          const uploadId = randomUUID();
          let state = await sut.startUpload(uploadId);
          const half = 5 * MiB;
          state = await sut.appendUpload(
            uploadId,
            state,
            Readable.from([content.subarray(0, half)]),
            half,
          );
          state = await sut.appendUpload(uploadId, state, Readable.from([content.subarray(half)]));
          const key = blobKey(sha512(content));

          await sut.completeUpload(uploadId, state, key);

          expect(await sut.stat(key)).toEqual({ size: content.length });
          expect(sha512(await readAll(await sut.read(key)))).toBe(sha512(content));
          expect(await collect(sut.list(uploadPrefix(uploadId)))).toEqual([]);
        },
        timeoutMs,
      );

      it(
        'keeps concurrent uploads apart',
        async () => {
          const contents = [randomBytes(6 * MiB), randomBytes(2000), randomBytes(5)];

          await Promise.all(
            contents.map(async (content) => {
              const uploadId = randomUUID();
              let state = await sut.startUpload(uploadId);
              const half = Math.floor(content.length / 2);
              state = await sut.appendUpload(
                uploadId,
                state,
                Readable.from([content.subarray(0, half)]),
                half,
              );
              state = await sut.appendUpload(
                uploadId,
                state,
                Readable.from([content.subarray(half)]),
              );
              await completeAndVerify(sut, uploadId, state, content);
            }),
          );
        },
        timeoutMs,
      );
    });

    describe('interrupted writes', () => {
      const hourMs = 60 * 60 * 1000;

      it(
        'keeps what a put killed mid-way left until it is older than asked, then removes it',
        async () => {
          const content = randomBytes(100);
          await interrupted.leaveInterruptedPut(sut, blobKeyOf(content));

          // a write that may still be in flight
          expect(await sut.sweepInterruptedWrites(new Date(Date.now() - hourMs))).toBe(0);
          // the same leftover, once the sweep's age has passed
          expect(await sut.sweepInterruptedWrites(new Date(Date.now() + hourMs))).toBe(1);
          expect(await sut.sweepInterruptedWrites(new Date(Date.now() + hourMs))).toBe(0);
          // the key was never written: the interrupted put left nothing a reader sees
          expect(await sut.stat(blobKeyOf(content))).toBeUndefined();
        },
        timeoutMs,
      );

      it(
        'leaves objects and upload sessions alone',
        async () => {
          const stored = randomBytes(1000);
          await sut.put(blobKeyOf(stored), stored);
          const uploadId = randomUUID();
          const first = randomBytes(5 * MiB + 1);
          let state = await sut.startUpload(uploadId);
          state = await sut.appendUpload(uploadId, state, Readable.from([first]), first.length);

          expect(await sut.sweepInterruptedWrites(new Date(Date.now() + hourMs))).toBe(0);

          expect(await sut.stat(blobKeyOf(stored))).toEqual({ size: 1000 });
          const last = randomBytes(10);
          state = await sut.appendUpload(uploadId, state, Readable.from([last]), last.length);
          await completeAndVerify(sut, uploadId, state, Buffer.concat([first, last]));
        },
        timeoutMs,
      );
    });
  });
}

async function completeAndVerify(
  driver: StorageDriver,
  uploadId: string,
  state: UploadState,
  content: Buffer,
) {
  const key = blobKeyOf(content);
  expect(state.size).toBe(content.length);

  await driver.completeUpload(uploadId, state, key);

  expect(await driver.stat(key)).toEqual({ size: content.length });
  expect(sha256(await readAll(await driver.read(key)))).toBe(sha256(content));
  expect(await collect(driver.list(uploadPrefix(uploadId)))).toEqual([]);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function sha512(bytes: Buffer): string {
  return `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
}

function blobKeyOf(content: Buffer): string {
  return blobKey(sha256(content));
}

/** `content` as a stream of `size`-byte chunks, the way a request body arrives. */
function chunked(content: Buffer, size: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= content.length) {
        this.push(null);
        return;
      }
      this.push(content.subarray(offset, offset + size));
      offset += size;
    },
  });
}

/** A body that delivers `prefix` and then fails, like a client that disconnects. */
function failingAfter(prefix: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) {
        this.destroy(new Error('client disconnected'));
        return;
      }
      sent = true;
      this.push(prefix);
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  return all;
}
