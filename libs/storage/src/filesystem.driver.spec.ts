import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { FilesystemStorageDriver } from './filesystem.driver';
import { StorageNotFoundError } from './storage-driver';
import { describeStorageDriverConformance } from './storage-driver.conformance';

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'meridian-storage-'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function makeDriver(): Promise<FilesystemStorageDriver> {
  const driver = new FilesystemStorageDriver({ rootDirectory: join(base, randomUUID()) });
  await driver.init();
  return driver;
}

/** What `put` leaves when killed between creating its temporary file and the rename. */
async function plantTemporaryFile(driver: FilesystemStorageDriver, key: string): Promise<string> {
  const directory = dirname(join(driver.rootDirectory, key));
  await mkdir(directory, { recursive: true });
  const path = join(directory, `.${randomUUID()}.tmp`);
  await writeFile(path, 'the first bytes of a copy');
  return path;
}

describeStorageDriverConformance('filesystem', makeDriver, {
  leaveInterruptedPut: async (driver, key) => {
    await plantTemporaryFile(driver, key);
  },
});

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const found: string[] = [];
  for await (const key of keys) found.push(key);
  return found;
}

describe(FilesystemStorageDriver.name, () => {
  it("copies from another filesystem store into an inode of its own, never a link to the source's", async () => {
    const source = await makeDriver();
    const sut = await makeDriver();
    const content = Buffer.alloc(300_000, 'meridian layer ');
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const key = `blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`;
    await source.put(key, content);

    await sut.copyFrom(source, key, key, { expected: { digest, size: content.length } });

    const [original, copy] = await Promise.all([
      stat(join(source.rootDirectory, key)),
      stat(join(sut.rootDirectory, key)),
    ]);
    expect(copy.ino).not.toBe(original.ino);
    expect(copy.nlink).toBe(1);
    expect(copy.mode & 0o777).toBe(0o640);
    // a corruption or a delete of the source's file does not reach the copy
    await writeFile(join(source.rootDirectory, key), 'corrupted');
    await source.delete(key);
    const copied: Buffer[] = [];
    for await (const chunk of await sut.read(key)) copied.push(chunk as Buffer);
    expect(Buffer.concat(copied).equals(content)).toBe(true);
  });

  it("names the source's file when a copy may share its bytes on one filesystem, writing no byte", async () => {
    const source = await makeDriver();
    const sut = await makeDriver();
    const content = Buffer.alloc(300_000, 'meridian layer ');
    const key = `blobs/sha256/ab/ab${'1'.repeat(62)}`;
    await source.put(key, content);
    let told = 0;

    await sut.copyFrom(source, key, key, { mayLink: true, onBytes: (count) => (told += count) });

    const [original, copy] = await Promise.all([
      stat(join(source.rootDirectory, key)),
      stat(join(sut.rootDirectory, key)),
    ]);
    expect(copy.ino).toBe(original.ino);
    expect(copy.nlink).toBe(2);
    expect(copy.mode & 0o777).toBe(0o640);
    expect(told).toBe(content.length);
    // a key already taken is replaced by a copy of its own, as a put would
    const other = await makeDriver();
    await other.put(key, Buffer.from('stale'));
    await other.copyFrom(source, key, key, { mayLink: true });
    const replaced = await stat(join(other.rootDirectory, key));
    expect(replaced.ino).not.toBe(original.ino);
    expect(replaced.size).toBe(content.length);
  });

  it('copies when the stores are on different filesystems, however the copy may share', async () => {
    const elsewhere = await mkdtemp('/dev/shm/meridian-storage-');
    try {
      expect((await stat(elsewhere)).dev).not.toBe((await stat(base)).dev);
      const source = new FilesystemStorageDriver({ rootDirectory: elsewhere });
      const sut = await makeDriver();
      const content = Buffer.alloc(70_000, 'meridian config ');
      const key = `blobs/sha256/cd/cd${'2'.repeat(62)}`;
      await source.put(key, content);

      await sut.copyFrom(source, key, key, { mayLink: true, size: content.length });

      const copy = await stat(join(sut.rootDirectory, key));
      expect(copy.nlink).toBe(1);
      expect(copy.size).toBe(content.length);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('sweeps temporary files not written for longer than asked, and keeps fresh ones', async () => {
    const sut = await makeDriver();
    const key = `blobs/sha256/ab/ab${'0'.repeat(62)}`;
    const old = await plantTemporaryFile(sut, key);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    const fresh = await plantTemporaryFile(sut, key);
    // a dot file that is not ours stays whatever its age
    const foreign = join(dirname(old), '.keep');
    await writeFile(foreign, '');
    await utimes(foreign, twoHoursAgo, twoHoursAgo);

    expect(await sut.sweepInterruptedWrites(new Date(Date.now() - 60 * 60 * 1000))).toBe(1);

    expect((await readdir(dirname(old))).sort()).toEqual(
      [fresh.slice(dirname(fresh).length + 1), '.keep'].sort(),
    );
  });

  it.each([
    '../outside',
    '/etc/passwd',
    'a/../../outside',
    'a//b',
    'a/./b',
    '.hidden',
    'a/.tmp',
    'a\\b',
    '',
  ])('refuses the key %j', async (key) => {
    const sut = await makeDriver();

    await expect(sut.stat(key)).rejects.toThrow('invalid storage key');
    await expect(sut.put(key, Buffer.from('x'))).rejects.toThrow('invalid storage key');
  });

  it('hides temporary files from list', async () => {
    const sut = await makeDriver();
    await sut.put('dir/a', Buffer.from('a'));

    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(sut.rootDirectory, 'dir', '.leftover.tmp'), 'x');

    const keys: string[] = [];
    for await (const key of sut.list('dir/')) keys.push(key);
    expect(keys).toEqual(['dir/a']);
  });

  it('refuses a first chunk for an aborted upload rather than creating its file', async () => {
    const sut = await makeDriver();
    const uploadId = randomUUID();
    const state = await sut.startUpload(uploadId);
    await sut.abortUpload(uploadId);

    await expect(
      sut.appendUpload(uploadId, state, Readable.from([Buffer.from('late')]), 4),
    ).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(sut.readUpload(uploadId, state)).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await collect(sut.list(''))).toEqual([]);
  });

  describe('with the umask most hosts have (022)', () => {
    let umask: number;
    beforeEach(() => {
      umask = process.umask(0o022);
    });
    afterEach(() => {
      process.umask(umask);
    });

    const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

    it('creates stored objects 0640 in directories 0750, readable by no other account', async () => {
      const sut = await makeDriver();
      await sut.put('blobs/sha256/ab/abcd', Buffer.from('private layer'));

      expect(await modeOf(join(sut.rootDirectory, 'blobs/sha256/ab/abcd'))).toBe(0o640);
      expect(await modeOf(join(sut.rootDirectory, 'blobs/sha256/ab'))).toBe(0o750);
      expect(await modeOf(join(sut.rootDirectory, 'blobs'))).toBe(0o750);
      expect(await modeOf(sut.rootDirectory)).toBe(0o750);
    });

    it('creates upload data 0640, and keeps that mode once the upload is a blob', async () => {
      const sut = await makeDriver();
      const uploadId = randomUUID();
      const state = await sut.startUpload(uploadId);
      const appended = await sut.appendUpload(
        uploadId,
        state,
        Readable.from([Buffer.from('x')]),
        1,
      );

      expect(await modeOf(join(sut.rootDirectory, `_uploads/${uploadId}`))).toBe(0o750);
      expect(await modeOf(join(sut.rootDirectory, `_uploads/${uploadId}/data`))).toBe(0o640);
      await sut.completeUpload(uploadId, appended, 'blobs/sha256/cd/cdef');
      expect(await modeOf(join(sut.rootDirectory, 'blobs/sha256/cd/cdef'))).toBe(0o640);
      expect(await modeOf(join(sut.rootDirectory, 'blobs/sha256/cd'))).toBe(0o750);
    });
  });
});
