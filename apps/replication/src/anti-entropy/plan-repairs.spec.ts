import { type RepositoryState, formatHlc } from '@meridian/contracts';
import { comparePages, planRepairs, planSettingRepairs } from './plan-repairs';

const t0 = Date.parse('2026-12-06T12:00:00Z');
const at = (seconds: number, region = 'us-east') =>
  formatHlc({ wallMs: t0 + seconds * 1000, counter: 0, region });
const digest = (char: string) => `sha256:${char.repeat(64)}`;
const options = { maxWallMs: t0 + 3_600_000 };

function state(overrides: Partial<RepositoryState> = {}): RepositoryState {
  return {
    repository: 'team/app',
    manifests: [],
    tags: [],
    deletedManifests: [],
    deletedTags: [],
    locks: [],
    truncated: false,
    ...overrides,
  };
}

function manifest(char: string, seconds: number, children: string[] = []) {
  return {
    digest: digest(char),
    hlc: at(seconds),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 100,
    references: { blobs: [{ digest: digest('f'), size: 10 }], manifests: children },
  };
}

describe(comparePages.name, () => {
  const page = (entries: [string, string][], more = false) => ({
    repositories: entries.map(([repository, summary]) => ({ repository, summary })),
    more,
  });

  it('names the repositories whose summaries differ or that one region lacks', () => {
    const sut = comparePages(
      page([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
      page([
        ['a', '1'],
        ['b', 'x'],
        ['d', '4'],
      ]),
    );
    expect(sut).toEqual({ differing: ['b', 'c', 'd'], compared: 4 });
  });

  it("stops at the shorter page's last name when a region has more", () => {
    const sut = comparePages(
      page(
        [
          ['a', '1'],
          ['b', '2'],
        ],
        true,
      ),
      page([
        ['a', '1'],
        ['c', '3'],
      ]),
    );
    // `b` is on both pages' range (the peer lacks it); `c` may be on this region's next page
    expect(sut).toEqual({ differing: ['b'], compared: 2, next: 'b' });
  });
});

describe(planRepairs.name, () => {
  it('plans nothing when the regions agree', () => {
    const same = state({
      manifests: [manifest('a', 1)],
      tags: [{ name: 'v1', digest: digest('a'), hlc: at(1) }],
    });
    expect(planRepairs(same, same, options)).toEqual({ repairs: [], ahead: 0 });
  });

  it('brings back a lost manifest and its tag, the manifest first', () => {
    const peer = state({
      manifests: [manifest('a', 1)],
      tags: [{ name: 'v1', digest: digest('a'), hlc: at(1) }],
    });
    expect(planRepairs(state(), peer, options).repairs).toEqual([
      { kind: 'manifest', manifest: manifest('a', 1) },
      {
        kind: 'tag',
        tag: 'v1',
        digest: digest('a'),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        hlc: at(1),
      },
    ]);
  });

  it('moves a tag the peer moved later, never one moved here later', () => {
    const manifests = [manifest('a', 1), manifest('b', 2)];
    const peer = state({ manifests, tags: [{ name: 'v1', digest: digest('b'), hlc: at(5) }] });
    const olderHere = state({ manifests, tags: [{ name: 'v1', digest: digest('a'), hlc: at(3) }] });
    const newerHere = state({ manifests, tags: [{ name: 'v1', digest: digest('a'), hlc: at(9) }] });
    expect(planRepairs(olderHere, peer, options).repairs).toEqual([
      expect.objectContaining({ kind: 'tag', tag: 'v1', digest: digest('b'), hlc: at(5) }),
    ]);
    expect(planRepairs(newerHere, peer, options).repairs).toEqual([]);
  });

  it('applies a delete this region missed, and brings back nothing it deleted', () => {
    const peer = state({
      deletedManifests: [{ digest: digest('a'), hlc: at(4) }],
      deletedTags: [{ name: 'v1', hlc: at(4), digest: digest('a') }],
    });
    const local = state({
      manifests: [manifest('a', 1)],
      tags: [{ name: 'v1', digest: digest('a'), hlc: at(1) }],
    });
    expect(planRepairs(local, peer, options).repairs).toEqual([
      { kind: 'manifest-delete', digest: digest('a'), hlc: at(4) },
      { kind: 'tag-delete', tag: 'v1', digest: digest('a'), hlc: at(4) },
    ]);
    // the other way round: the deleting region fetches nothing back
    expect(planRepairs(peer, local, options).repairs).toEqual([]);
  });

  it('skips a push older than a delete of the repository, but takes a newer push', () => {
    const local = state({ deleted: at(5) });
    const peer = state({ deleted: at(5), manifests: [manifest('a', 3), manifest('b', 7)] });
    expect(planRepairs(local, peer, options).repairs).toEqual([
      { kind: 'manifest', manifest: manifest('b', 7) },
    ]);
  });

  it('copies lock changes it lacks and stores children before their index', () => {
    const attributes = {
      deleteEnabled: false,
      writeEnabled: true,
      readEnabled: true,
      listEnabled: true,
    };
    const peer = state({
      manifests: [manifest('i', 2, [digest('a')]), manifest('a', 1)],
      locks: [{ target: 'tag', name: 'v1', attributes, hlc: at(3) }],
    });
    expect(planRepairs(state(), peer, options).repairs.map((repair) => repair.kind)).toEqual([
      'lock',
      'manifest',
      'manifest',
    ]);
    const [, first] = planRepairs(state(), peer, options).repairs;
    expect(first).toEqual({ kind: 'manifest', manifest: manifest('a', 1) });
  });

  it('leaves out writes whose readings are ahead of the allowed skew, and counts them', () => {
    const peer = state({ manifests: [manifest('a', 7200)] });
    expect(planRepairs(state(), peer, options)).toEqual({ repairs: [], ahead: 1 });
  });
});

describe(planSettingRepairs.name, () => {
  it("takes the peer's newer settings only", () => {
    const local = [{ name: 'quarantine' as const, enabled: false, hlc: at(5) }];
    const peer = [
      { name: 'quarantine' as const, enabled: true, hlc: at(3) },
      { name: 'retention' as const, enabled: true, days: 7, hlc: at(4) },
    ];
    expect(planSettingRepairs(local, peer, options).repairs).toEqual([
      { kind: 'setting', setting: peer[1] },
    ]);
  });
});
