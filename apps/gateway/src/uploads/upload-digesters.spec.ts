import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadSession } from '@meridian/contracts';
import { createDigester, sha256Digest, sha512Digest } from '@meridian/oci';
import { FilesystemStorageDriver } from '@meridian/storage';
import { UploadDigesters } from './upload-digesters';

describe(UploadDigesters.name, () => {
  let directory: string;
  let storage: FilesystemStorageDriver;
  let sut: UploadDigesters;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'meridian-digesters-'));
    storage = new FilesystemStorageDriver({ rootDirectory: directory });
    await storage.init();
    sut = new UploadDigesters(storage);
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function storedUpload(bytes: Buffer): Promise<UploadSession> {
    const uploadId = randomUUID();
    const started = await storage.startUpload(uploadId);
    const state = await storage.appendUpload(
      uploadId,
      started,
      await toStream(bytes),
      bytes.length,
    );
    return {
      uploadId,
      repository: 'a/b',
      offset: state.size,
      state,
      startedAt: new Date().toISOString(),
    };
  }

  it('hands back the digester kept at the session offset', async () => {
    const session = await storedUpload(randomBytes(10));
    const kept = createDigester();
    kept.update(randomBytes(10));
    sut.keep(session.uploadId, kept);

    expect(await sut.take(session)).toBe(kept);
  });

  it('hashes the stored bytes again when nothing is kept', async () => {
    const bytes = randomBytes(200_000);
    const session = await storedUpload(bytes);

    const digester = await sut.take(session);

    expect(digester.size).toBe(bytes.length);
    expect(digester.digest()).toBe(sha256Digest(bytes));
  });

  it('hashes again when the kept digester stands elsewhere than the session', async () => {
    const bytes = randomBytes(100);
    const session = await storedUpload(bytes);
    const stale = createDigester();
    stale.update(bytes.subarray(0, 40));
    sut.keep(session.uploadId, stale);

    const digester = await sut.take(session);

    expect(digester).not.toBe(stale);
    expect(digester.digest()).toBe(sha256Digest(bytes));
  });

  it('hashes the stored bytes again with sha512 when the close names a sha512 digest', async () => {
    const bytes = randomBytes(150_000);
    const session = await storedUpload(bytes);
    const kept = createDigester();
    kept.update(bytes);
    sut.keep(session.uploadId, kept);

    const digester = await sut.take(session, 'sha512');

    expect(digester).not.toBe(kept);
    expect(digester.algorithm).toBe('sha512');
    expect(digester.size).toBe(bytes.length);
    expect(digester.digest()).toBe(sha512Digest(bytes));
  });

  it('starts an empty upload with the algorithm asked for', async () => {
    const session = await storedUpload(Buffer.alloc(0));

    const digester = await sut.take(session, 'sha512');

    expect(digester.digest()).toBe(sha512Digest(Buffer.alloc(0)));
  });

  it('reuses a kept digester of the algorithm asked for', async () => {
    const session = await storedUpload(randomBytes(10));
    const kept = createDigester('sha512');
    kept.update(randomBytes(10));
    sut.keep(session.uploadId, kept);

    expect(await sut.take(session, 'sha512')).toBe(kept);
  });

  it('gives a digester to one request only', async () => {
    const session = await storedUpload(randomBytes(10));
    const kept = createDigester();
    kept.update(randomBytes(10));
    sut.keep(session.uploadId, kept);

    await sut.take(session);
    expect(await sut.take(session)).not.toBe(kept);
  });
});

async function toStream(bytes: Buffer) {
  const { Readable } = await import('node:stream');
  return Readable.from([bytes]);
}
