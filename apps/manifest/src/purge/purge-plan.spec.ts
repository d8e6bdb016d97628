import { purgePattern } from '@meridian/contracts';
import { unlocked } from '../locks/lock-rules';
import {
  type PurgeRules,
  type RepositorySnapshot,
  type SnapshotManifest,
  type SnapshotTag,
  planPurge,
} from './purge-plan';

const now = new Date('2026-12-06T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const locked = { ...unlocked, deleteEnabled: false };

function buildTag(name: string, n: number, age: number, overrides: Partial<SnapshotTag> = {}) {
  return { name, digest: digest(n), updatedAt: daysAgo(age), attributes: unlocked, ...overrides };
}

function buildManifest(n: number, age: number, overrides: Partial<SnapshotManifest> = {}) {
  return {
    digest: digest(n),
    createdAt: daysAgo(age),
    children: [],
    attributes: unlocked,
    ...overrides,
  };
}

function buildSnapshot(overrides: Partial<RepositorySnapshot> = {}): RepositorySnapshot {
  return { repository: 'team/app', attributes: unlocked, tags: [], manifests: [], ...overrides };
}

function buildRules(overrides: Partial<PurgeRules> = {}): PurgeRules {
  return {
    tagPatterns: [purgePattern('.*')],
    cutoff: daysAgo(30),
    keep: 0,
    untagged: false,
    ...overrides,
  };
}

const summary = (items: ReturnType<typeof planPurge>) =>
  items.map((item) => `${item.action} ${item.tag ?? item.digest.slice(-2)}`);

describe(planPurge.name, () => {
  const manifests = [1, 2, 3, 4].map((n) => buildManifest(n, 60));

  it('deletes the matching tags older than the cut-off, not the newer ones nor the others', () => {
    const snapshot = buildSnapshot({
      manifests,
      tags: [buildTag('v1', 1, 40), buildTag('v2', 2, 10), buildTag('latest', 3, 50)],
    });
    const sut = planPurge(snapshot, buildRules({ tagPatterns: [purgePattern('v.*')] }));
    expect(summary(sut)).toEqual(['delete v1']);
    expect(sut[0]?.reason).toMatch(/last updated .* before/);
  });

  it('anchors patterns: `v1` does not match `v10`', () => {
    const snapshot = buildSnapshot({ manifests, tags: [buildTag('v10', 1, 40)] });
    expect(planPurge(snapshot, buildRules({ tagPatterns: [purgePattern('v1')] }))).toEqual([]);
  });

  it('keeps the `keep` newest of the tags it would delete', () => {
    const snapshot = buildSnapshot({
      manifests,
      tags: [buildTag('a', 1, 40), buildTag('b', 2, 35), buildTag('c', 3, 50), buildTag('d', 4, 5)],
    });
    expect(summary(planPurge(snapshot, buildRules({ keep: 2 })))).toEqual([
      'kept b',
      'kept a',
      'delete c',
    ]);
  });

  it('skips locked tags, and tags of a locked repository', () => {
    const snapshot = buildSnapshot({
      manifests,
      tags: [buildTag('a', 1, 40, { attributes: locked }), buildTag('b', 2, 40)],
    });
    const sut = planPurge(snapshot, buildRules());
    expect(summary(sut)).toEqual(['skipped a', 'delete b']);
    expect(sut[0]?.reason).toBe('locked: deleteEnabled is false on the tag');
    const writeLocked = { ...snapshot, attributes: { ...unlocked, writeEnabled: false } };
    expect(summary(planPurge(writeLocked, buildRules()))).toEqual(['skipped a', 'skipped b']);
  });

  it('with untagged, deletes old untagged manifests and those its tag deletes leave untagged', () => {
    const snapshot = buildSnapshot({
      manifests: [
        buildManifest(1, 60),
        buildManifest(2, 60),
        buildManifest(3, 60),
        buildManifest(4, 1),
      ],
      tags: [buildTag('old', 1, 40), buildTag('new', 2, 1)],
    });
    expect(summary(planPurge(snapshot, buildRules({ untagged: true })))).toEqual([
      'delete old',
      'delete 01',
      'delete 03',
    ]);
    expect(summary(planPurge(snapshot, buildRules({ untagged: false })))).toEqual(['delete old']);
  });

  it('keeps a manifest a skipped (locked) tag still points to, and skips locked manifests', () => {
    const snapshot = buildSnapshot({
      manifests: [buildManifest(1, 60), buildManifest(2, 60, { attributes: locked })],
      tags: [buildTag('old', 1, 40, { attributes: locked })],
    });
    const sut = planPurge(snapshot, buildRules({ untagged: true }));
    expect(summary(sut)).toEqual(['skipped old', 'skipped 02']);
  });

  it('deletes the referrers of what goes first, and keeps the children of a tagged index', () => {
    const snapshot = buildSnapshot({
      manifests: [
        buildManifest(1, 60, { children: [digest(2)] }),
        buildManifest(2, 60),
        buildManifest(3, 60, { children: [digest(4)] }),
        buildManifest(4, 60),
        buildManifest(5, 60, { subject: digest(3) }),
        buildManifest(6, 60, { subject: digest(1) }),
      ],
      tags: [buildTag('index', 1, 1)],
    });
    const sut = planPurge(snapshot, buildRules({ untagged: true }));
    expect(summary(sut)).toEqual(['skipped 02', 'delete 05', 'delete 03', 'delete 04']);
    expect(sut[0]?.reason).toBe(`a child of ${digest(1)}, which stays`);
    expect(sut[1]?.reason).toBe(`a referrer of ${digest(3)}, which goes`);
  });

  it('plans the same items from the same snapshot every time', () => {
    const snapshot = buildSnapshot({
      manifests,
      tags: [buildTag('a', 1, 40), buildTag('b', 2, 40), buildTag('c', 3, 40)],
    });
    const rules = buildRules({ keep: 1, untagged: true });
    expect(planPurge(snapshot, rules)).toEqual(planPurge(structuredClone(snapshot), rules));
    expect(summary(planPurge(snapshot, rules))).toEqual([
      'kept a',
      'delete b',
      'delete c',
      'delete 02',
      'delete 03',
      'delete 04',
    ]);
  });
});
