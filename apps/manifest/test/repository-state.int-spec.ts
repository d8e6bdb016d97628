/**
 * What anti-entropy compares (manifest.summaries, manifest.repository-state), against the
 * manifest service on real Postgres and NATS: the same writes, applied in another order, give
 * the same summary; any difference in manifests, tags, tombstones or locks changes it; the
 * state lists what a peer needs to repair a region, deleted tags with what they pointed to.
 */
import { manifestRpc } from '@meridian/contracts';
import {
  type ApplyRequest,
  at,
  inRepository,
  lockChanged,
  manifestDeleted,
  pushed,
  tagDeleted,
} from './build-events';
import { blobsOf, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

const x = buildOciManifest({ layers: [buildBlob('state x')] });
const y = buildOciManifest({ layers: [buildBlob('state y')] });

describe('manifest service: repository summaries and state', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_repository_state');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const scenario: ApplyRequest[] = [
    pushed('', x, at(1000), 'v1'),
    pushed('', y, at(1100, 'eu-west'), 'v2'),
    tagDeleted('', y, at(1200), 'v2'),
    lockChanged('', at(1300), { deleteEnabled: false }, { tag: 'v1' }),
  ];

  async function applyTo(repository: string, requests: ApplyRequest[]): Promise<void> {
    for (const manifest of [x, y]) sut.blobs.add(repository, ...blobsOf(manifest));
    for (const request of requests) await sut.apply(inRepository(request, repository));
  }

  async function summaries(): Promise<Record<string, string>> {
    const page = await sut.client.request(manifestRpc.summaries, { limit: 1000 });
    return Object.fromEntries(page.repositories.map((entry) => [entry.repository, entry.summary]));
  }

  it('summarises the same state alike, whatever order it was written in', async () => {
    await applyTo('state/a', scenario);
    await applyTo(
      'state/b',
      [...scenario].reverse().filter((r) => r.kind !== 'tag.deleted'),
    );
    await sut.apply(inRepository(scenario[2]!, 'state/b'));
    const found = await summaries();
    expect(found['state/a']).toMatch(/^[0-9a-f]{32}$/);
    expect(found['state/b']).toBe(found['state/a']);
  });

  it('tells a difference in a manifest, a tag or a tombstone apart', async () => {
    await applyTo('state/c', scenario);
    await sut.apply(manifestDeleted('state/c', x, at(1400), ['v1']));
    const found = await summaries();
    expect(found['state/c']).not.toBe(found['state/a']);

    const state = await sut.client.request(manifestRpc.repositoryState, { repository: 'state/a' });
    expect(state).toMatchObject({
      repository: 'state/a',
      manifests: expect.arrayContaining([
        expect.objectContaining({ digest: x.digest, hlc: at(1000) }),
        expect.objectContaining({ digest: y.digest, hlc: at(1100, 'eu-west') }),
      ]),
      tags: [{ name: 'v1', digest: x.digest, hlc: at(1000) }],
      deletedTags: [{ name: 'v2', hlc: at(1200), digest: y.digest }],
      locks: [expect.objectContaining({ target: 'tag', name: 'v1', hlc: at(1300) })],
      truncated: false,
    });
    const deleted = await sut.client.request(manifestRpc.repositoryState, {
      repository: 'state/c',
    });
    expect(deleted.deletedManifests).toEqual([{ digest: x.digest, hlc: at(1400) }]);
    expect(deleted.manifests.map((manifest) => manifest.digest)).toEqual([y.digest]);
  });

  it('pages the repositories in byte order, a repository known only by its tombstones included', async () => {
    // a delete of what this region never held: only its tombstone is kept
    await sut.apply(manifestDeleted('state/d', y, at(1500), []));
    const first = await sut.client.request(manifestRpc.summaries, { limit: 2 });
    expect(first.repositories.map((entry) => entry.repository)).toEqual(['state/a', 'state/b']);
    expect(first.more).toBe(true);
    const next = await sut.client.request(manifestRpc.summaries, { after: 'state/b', limit: 2 });
    expect(next.repositories.map((entry) => entry.repository)).toEqual(['state/c', 'state/d']);
    expect(next.more).toBe(false);
    const none = await sut.client.request(manifestRpc.repositoryState, {
      repository: 'state/none',
    });
    expect(none).toMatchObject({ manifests: [], tags: [], locks: [] });
  });
});
