import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemStorageDriver } from './filesystem.driver';
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

describeStorageDriverConformance('filesystem', makeDriver);

describe(FilesystemStorageDriver.name, () => {
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
});
