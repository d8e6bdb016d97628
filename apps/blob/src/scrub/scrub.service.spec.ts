import { blobKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  InMemoryBlobRepairs,
  InMemoryScrubRepository,
  InMemoryScrubStore,
  digestOf,
} from '../../test/fakes/in-memory-scrub';
import { ScrubService } from './scrub.service';

const logger = createLogger({ service: 'blob', region: 'us-east', level: 'silent' });

function setup() {
  const jobs = new InMemoryScrubRepository();
  const store = new InMemoryScrubStore();
  const peer = new InMemoryScrubStore();
  const repairs = new InMemoryBlobRepairs(store, peer);
  const service = () =>
    new ScrubService(jobs, repairs, store, { scrubBytesPerSecond: 1024 * 1024 * 1024 }, logger);
  /** a blob held here and by the peer, with its record */
  const blob = (text: string, repositories?: string[]) => {
    const bytes = Buffer.from(text);
    const info = store.putBlob(bytes);
    peer.putBlob(bytes);
    jobs.addRecord(info, repositories);
    return info;
  };
  return { jobs, store, peer, repairs, sut: service(), service, blob };
}

async function finished(sut: ScrubService, id: string) {
  await sut.whenIdle(id);
  return sut.get(id);
}

describe(ScrubService.name, () => {
  it('reports a corrupt and a missing blob, repairs both from the peer and checks them again', async () => {
    const { sut, store, blob, repairs } = setup();
    const [a, b, c, d] = ['layer a', 'layer b', 'layer c', 'layer d'].map((text) => blob(text));
    store.objects.set(blobKey(b!.digest), Buffer.from('bit rot'));
    store.objects.delete(blobKey(d!.digest));

    const started = await sut.start({ repair: true });
    expect(started.state).toBe('queued');
    const job = await finished(sut, started.id);

    expect(job.state).toBe('succeeded');
    expect(job.progress).toEqual({
      blobsChecked: 4,
      blobsTotal: 4,
      bytesChecked: 28,
      bytesTotal: 28,
    });
    expect(job.counts).toEqual({ ok: 2, corrupt: 1, missing: 1, repaired: 2, unrepairable: 0 });
    expect(job.items.map((item) => [item.digest, item.problem, item.action, item.region])).toEqual(
      [
        [b!.digest, 'corrupt', 'repaired', 'eu-west'],
        [d!.digest, 'missing', 'repaired', 'eu-west'],
      ].sort(([x], [y]) => (x! < y! ? -1 : 1)),
    );
    const corrupt = job.items.find((item) => item.problem === 'corrupt');
    expect(corrupt?.found).toBe(
      `bytes hash to ${digestOf(Buffer.from('bit rot'))} (7 bytes), expected 7 bytes`,
    );
    expect(repairs.asked.sort()).toEqual([b!.digest, d!.digest].sort());
    for (const info of [a, b, c, d]) {
      expect(digestOf(store.objects.get(blobKey(info!.digest))!)).toBe(info!.digest);
    }
  });

  it('only reports with repair off, and never asks the peer', async () => {
    const { sut, store, blob, repairs } = setup();
    const a = blob('layer a');
    store.objects.set(blobKey(a.digest), Buffer.from('layer A'));

    const job = await finished(sut, (await sut.start({ repair: false })).id);

    expect(job.counts).toEqual({ ok: 0, corrupt: 1, missing: 0, repaired: 0, unrepairable: 0 });
    expect(job.items).toEqual([
      expect.objectContaining({ digest: a.digest, action: 'reported', problem: 'corrupt' }),
    ]);
    expect(repairs.asked).toEqual([]);
  });

  it('counts a blob no peer holds intact as unrepairable, saying why', async () => {
    const { sut, store, peer, blob } = setup();
    const a = blob('layer a');
    store.objects.delete(blobKey(a.digest));
    peer.objects.set(blobKey(a.digest), Buffer.from('garbage'));

    const job = await finished(sut, (await sut.start({ repair: true })).id);

    expect(job.counts).toMatchObject({ missing: 1, repaired: 0, unrepairable: 1 });
    expect(job.items).toEqual([
      expect.objectContaining({ action: 'unrepairable', detail: 'eu-west: corrupt' }),
    ]);
  });

  it('checks only the blobs a repository sees when asked to', async () => {
    const { sut, blob } = setup();
    const mine = blob('mine', ['team/app']);
    blob('theirs', ['other/app']);

    const job = await finished(sut, (await sut.start({ repository: 'team/app', repair: true })).id);

    expect(job.progress).toMatchObject({ blobsChecked: 1, blobsTotal: 1, bytesTotal: mine.size });
  });

  it('answers a second start with the job under way', async () => {
    const { sut, store, blob } = setup();
    blob('layer a');
    let open = () => undefined as void;
    store.gate = new Promise<void>((resolve) => (open = resolve));

    const first = await sut.start({ repair: true });
    const second = await sut.start({ repository: 'team/app', repair: false });
    open();

    expect(second.id).toBe(first.id);
    await sut.whenIdle(first.id);
    const third = await sut.start({ repair: true });
    expect(third.id).not.toBe(first.id);
    await sut.whenIdle(third.id);
  });

  it('resumes a job another replica left, after the last blob it recorded', async () => {
    const { jobs, store, blob, service } = setup();
    const blobs = ['a', 'b', 'c'].map((text) => blob(`layer ${text}`));
    blobs.sort((x, y) => (x.digest < y.digest ? -1 : 1));
    const { id } = await jobs.create('0b6f0c4e-0000-4000-8000-000000000001', { repair: true });
    await jobs.begin(id, { blobsChecked: 0, blobsTotal: 3, bytesChecked: 0, bytesTotal: 21 });
    await jobs.record(id, {
      afterDigest: blobs[0]!.digest,
      progress: { blobsChecked: 1, blobsTotal: 3, bytesChecked: 7, bytesTotal: 21 },
      counts: { ok: 1, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 },
      items: [],
    });
    await jobs.release(id);

    const sut = service();
    sut.onApplicationBootstrap();
    await new Promise((resolve) => setImmediate(resolve));
    const job = await finished(sut, id);
    await sut.beforeApplicationShutdown();

    expect(job.state).toBe('succeeded');
    expect(job.progress).toMatchObject({ blobsChecked: 3, bytesChecked: 21 });
    expect(job.counts.ok).toBe(3);
    expect(store.reads).toEqual([blobs[1]!, blobs[2]!].map((info) => blobKey(info.digest)));
  });

  it('gives the job up mid-way when the service stops, for a restart to resume', async () => {
    const { sut, jobs, store, blob } = setup();
    blob('layer a');
    blob('layer b');
    let open = () => undefined as void;
    store.gate = new Promise<void>((resolve) => (open = resolve));

    const { id } = await sut.start({ repair: true });
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = sut.beforeApplicationShutdown();
    open();
    await stopped;

    const job = await sut.get(id);
    expect(job.state).toBe('running');
    expect(job.progress.blobsChecked).toBeLessThan(2);
    expect(await jobs.claimOrphans()).toEqual([id]);
  });

  it('does not report a blob whose record went while it was read', async () => {
    const { sut, jobs, store, blob } = setup();
    const a = blob('layer a');
    store.objects.delete(blobKey(a.digest));
    const read = store.read.bind(store);
    store.read = async (key) => {
      jobs.records.delete(a.digest);
      return read(key);
    };

    const job = await finished(sut, (await sut.start({ repair: true })).id);

    expect(job.items).toEqual([]);
    expect(job.counts).toEqual({ ok: 0, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 });
  });

  it('answers an unknown job with RESOURCE_UNKNOWN', async () => {
    const { sut } = setup();
    await expect(sut.get('0b6f0c4e-0000-4000-8000-00000000dead')).rejects.toMatchObject({
      code: 'RESOURCE_UNKNOWN',
    });
  });
});
