import { createLogger } from '@meridian/telemetry';
import {
  InMemoryBlobData,
  InMemoryUploadsRepository,
} from '../../test/fakes/in-memory-repositories';
import { InMemoryUploadStore } from '../../test/fakes/in-memory-upload-store';
import { UploadSweeper, sweepIntervalMs } from './upload-sweeper';
import type { BlobConfig } from '../config';

function setup(idleTimeoutSeconds: number) {
  const data = new InMemoryBlobData(idleTimeoutSeconds);
  const uploads = new InMemoryUploadsRepository(data);
  const store = new InMemoryUploadStore();
  const config = { uploadIdleTimeoutSeconds: idleTimeoutSeconds } as BlobConfig;
  const logger = createLogger({ service: 'blob', region: 'us-east', level: 'silent' });
  return { sut: new UploadSweeper(uploads, store, config, logger), data, uploads, store };
}

async function session(context: ReturnType<typeof setup>, repository = 'team/app') {
  const uploadId = crypto.randomUUID();
  await context.uploads.insert(uploadId, repository, await context.store.startUpload(uploadId));
  return uploadId;
}

describe(UploadSweeper.name, () => {
  it('sweeps every minute, or four times per timeout when that is shorter', () => {
    expect(sweepIntervalMs(86_400)).toBe(60_000);
    expect(sweepIntervalMs(60)).toBe(15_000);
    expect(sweepIntervalMs(1)).toBe(250);
  });

  it('removes expired sessions with their bytes and keeps live ones', async () => {
    const context = setup(60);
    const old = await session(context);
    context.data.nowMs += 30_000;
    const recent = await session(context);
    context.data.nowMs += 30_000;
    await expect(context.sut.sweep()).resolves.toEqual({ removed: 1, kept: 0 });
    expect([...context.data.uploads.keys()]).toEqual([recent]);
    expect(context.store.uploads.has(old)).toBe(false);
    expect(context.store.uploads.has(recent)).toBe(true);
  });

  it('keeps an expired session whose bytes could not be removed, for the next sweep', async () => {
    const context = setup(60);
    const stuck = await session(context);
    const other = await session(context);
    context.store.failingAborts.add(stuck);
    context.data.nowMs += 60_000;
    await expect(context.sut.sweep()).resolves.toEqual({ removed: 1, kept: 1 });
    expect(context.data.uploads.has(stuck)).toBe(true);
    expect(context.data.uploads.has(other)).toBe(false);
    context.store.failingAborts.clear();
    await expect(context.sut.sweep()).resolves.toEqual({ removed: 1, kept: 0 });
  });

  it('sweeps more than one batch', async () => {
    const context = setup(60);
    for (let i = 0; i < 250; i++) await session(context);
    context.data.nowMs += 60_000;
    await expect(context.sut.sweep()).resolves.toEqual({ removed: 250, kept: 0 });
  });
});
