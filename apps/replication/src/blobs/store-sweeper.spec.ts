import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemStorageDriver } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import { StoreSweeper } from './store-sweeper';

const hourMs = 60 * 60 * 1000;

describe(StoreSweeper.name, () => {
  let dir: string;
  let store: FilesystemStorageDriver;
  let sut: StoreSweeper | undefined;
  const logger = createLogger({ service: 'replication', region: 'eu-west', level: 'silent' });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-store-sweeper-'));
    store = new FilesystemStorageDriver({ rootDirectory: dir });
    await store.init();
  });

  afterEach(async () => {
    await sut?.onModuleDestroy();
    await rm(dir, { recursive: true, force: true });
  });

  /** The temporary file of a copy into `blobs/sha256/ab/`, last written `ageMs` ago. */
  async function copyLeftover(ageMs: number): Promise<string> {
    const directory = join(dir, 'blobs', 'sha256', 'ab');
    await mkdir(directory, { recursive: true });
    const name = `.${randomUUID()}.tmp`;
    await writeFile(join(directory, name), 'half a layer');
    const at = new Date(Date.now() - ageMs);
    await utimes(join(directory, name), at, at);
    return name;
  }

  it('removes the leftovers of copies killed over an hour ago as the service starts', async () => {
    const killed = await copyLeftover(2 * hourMs);
    const inFlight = await copyLeftover(5_000);
    sut = new StoreSweeper(store, logger);

    sut.onApplicationBootstrap();
    await sut.settled();

    const left = await readdir(join(dir, 'blobs', 'sha256', 'ab'));
    expect(left).toContain(inFlight);
    expect(left).not.toContain(killed);
  });

  it('sweeps again on its interval', async () => {
    sut = new StoreSweeper(store, logger, { ageMs: hourMs, intervalMs: 50 });
    sut.onApplicationBootstrap();
    await sut.settled();
    const killed = await copyLeftover(2 * hourMs);

    for (let tick = 0; tick < 100; tick++) {
      const left = await readdir(join(dir, 'blobs', 'sha256', 'ab'));
      if (!left.includes(killed)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the leftover was not swept');
  });
});
