/**
 * The plan of a purge in one repository, from a snapshot of it: which tags and manifests go,
 * which stay and why. Pure, so a dry run and the real run decide with the same code: the dry
 * run reports the plan, the real run executes it through the ordinary delete rules, which
 * check the locks again under the repository's lock and skip what changed meanwhile.
 *
 * As `acr purge`: a tag matching the filter's tag pattern whose last update is older than
 * the cut-off is deleted (untagged), except the `keep` newest of those; with `untagged`, a
 * manifest without tags once those are gone, pushed before the cut-off, is deleted too,
 * unless a manifest that stays lists it as a child; its referrers (manifests whose subject
 * it is) go with it. Referrers are never purged for lack of a tag: they live by their subject.
 * Locked items (`deleteEnabled` or `writeEnabled` false, on the repository or the item) are
 * skipped, and a manifest a locked tag points to stays.
 */
import type { ChangeableAttributes, PurgeItem } from '@meridian/contracts';
import { refusesManifestDelete, refusesTagDelete } from '../locks/lock-rules';

export interface SnapshotTag {
  name: string;
  digest: string;
  updatedAt: Date;
  attributes: ChangeableAttributes;
}

export interface SnapshotManifest {
  digest: string;
  createdAt: Date;
  subject?: string;
  /** the manifests an index lists */
  children: string[];
  attributes: ChangeableAttributes;
}

export interface RepositorySnapshot {
  repository: string;
  attributes: ChangeableAttributes;
  tags: SnapshotTag[];
  manifests: SnapshotManifest[];
}

export interface PurgeRules {
  /** the tag patterns of the filters whose repository pattern matched this repository */
  tagPatterns: RegExp[];
  /** what was last updated (tags) or pushed (manifests) before this goes */
  cutoff: Date;
  keep: number;
  untagged: boolean;
}

/** An item of the plan; `delete` items are in the order to execute them. */
export type PlannedItem = Omit<PurgeItem, 'action'> & {
  action: 'delete' | 'kept' | 'skipped';
};

export function planPurge(snapshot: RepositorySnapshot, rules: PurgeRules): PlannedItem[] {
  const { repository } = snapshot;
  const items: PlannedItem[] = [];
  const cutoff = rules.cutoff.toISOString();

  const matching = snapshot.tags
    .filter((tag) => rules.tagPatterns.some((pattern) => pattern.test(tag.name)))
    .filter((tag) => tag.updatedAt < rules.cutoff)
    // newest first; ties by name so the plan is the same every time
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || compare(a.name, b.name));
  const goingTags = new Set<string>();
  matching.forEach((tag, index) => {
    const item = { repository, kind: 'tag' as const, tag: tag.name, digest: tag.digest };
    if (index < rules.keep) {
      items.push({ ...item, action: 'kept', reason: `one of the ${rules.keep} newest matches` });
      return;
    }
    const refusal = refusesTagDelete({
      repository: snapshot.attributes,
      tag: { target: { kind: 'tag', tag: tag.name }, attributes: tag.attributes },
    });
    if (refusal !== undefined) {
      items.push({ ...item, action: 'skipped', reason: lockReason(refusal) });
      return;
    }
    goingTags.add(tag.name);
    items.push({
      ...item,
      action: 'delete',
      reason: `matches the filter; last updated ${tag.updatedAt.toISOString()}, before ${cutoff}`,
    });
  });

  if (!rules.untagged) return items;
  items.push(...planUntagged(snapshot, goingTags, rules.cutoff));
  return items;
}

function planUntagged(
  snapshot: RepositorySnapshot,
  goingTags: ReadonlySet<string>,
  cutoff: Date,
): PlannedItem[] {
  const { repository } = snapshot;
  const byDigest = new Map(snapshot.manifests.map((m) => [m.digest, m]));
  const stillTagged = new Set(
    snapshot.tags.filter((tag) => !goingTags.has(tag.name)).map((tag) => tag.digest),
  );
  const referrersOf = new Map<string, SnapshotManifest[]>();
  for (const manifest of snapshot.manifests) {
    if (manifest.subject === undefined) continue;
    referrersOf.set(manifest.subject, [...(referrersOf.get(manifest.subject) ?? []), manifest]);
  }
  const locked = (manifest: SnapshotManifest) =>
    refusesManifestDelete({
      repository: snapshot.attributes,
      manifest: {
        target: { kind: 'manifest', digest: manifest.digest },
        attributes: manifest.attributes,
      },
      tagsOfManifest: snapshot.tags
        .filter((tag) => tag.digest === manifest.digest)
        .map((tag) => ({
          target: { kind: 'tag' as const, tag: tag.name },
          attributes: tag.attributes,
        })),
    });

  // candidates: untagged images pushed before the cut-off; then, until nothing changes, a
  // candidate that something staying lists as a child stays too
  const skipped = new Map<string, string>();
  const going = new Set<string>();
  for (const manifest of snapshot.manifests) {
    if (manifest.subject !== undefined || stillTagged.has(manifest.digest)) continue;
    if (manifest.createdAt >= cutoff) continue;
    const refusal = locked(manifest);
    if (refusal !== undefined) skipped.set(manifest.digest, lockReason(refusal));
    else going.add(manifest.digest);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const manifest of snapshot.manifests) {
      if (going.has(manifest.digest)) continue;
      for (const child of manifest.children) {
        if (!going.delete(child)) continue;
        changed = true;
        skipped.set(child, `a child of ${manifest.digest}, which stays`);
      }
    }
  }

  const items: PlannedItem[] = [];
  for (const [digest, reason] of [...skipped].sort(([a], [b]) => compare(a, b))) {
    items.push({ repository, kind: 'manifest', digest, action: 'skipped', reason });
  }
  // referrers before their subject, an index before its children: each delete then leaves
  // nothing pointing at what is gone
  const ordered: PlannedItem[] = [];
  const visited = new Set<string>();
  const visitReferrers = (subject: string, reason: string) => {
    for (const referrer of referrersOf.get(subject) ?? []) {
      if (visited.has(referrer.digest)) continue;
      visited.add(referrer.digest);
      visitReferrers(referrer.digest, `a referrer of ${referrer.digest}, which goes`);
      const refusal = locked(referrer);
      ordered.push({
        repository,
        kind: 'manifest',
        digest: referrer.digest,
        action: refusal === undefined ? 'delete' : 'skipped',
        reason: refusal === undefined ? reason : lockReason(refusal),
      });
    }
  };
  const parentsFirst = [...going].sort(
    (a, b) => depth(byDigest, b, going) - depth(byDigest, a, going) || compare(a, b),
  );
  for (const digest of parentsFirst) {
    visited.add(digest);
    visitReferrers(digest, `a referrer of ${digest}, which goes`);
    const manifest = byDigest.get(digest);
    ordered.push({
      repository,
      kind: 'manifest',
      digest,
      action: 'delete',
      reason: `untagged; pushed ${manifest?.createdAt.toISOString()}, before ${cutoff.toISOString()}`,
    });
  }
  return [...items, ...ordered];
}

/** How many going manifests list this one, transitively: parents sort before children. */
function depth(
  byDigest: ReadonlyMap<string, SnapshotManifest>,
  digest: string,
  going: ReadonlySet<string>,
): number {
  // the height below: an index that lists going children sorts before them
  const manifest = byDigest.get(digest);
  if (!manifest) return 0;
  let height = 0;
  for (const child of manifest.children) {
    if (going.has(child) && child !== digest) {
      height = Math.max(height, 1 + depth(byDigest, child, going));
    }
  }
  return height;
}

function lockReason(refusal: { target: { kind: string }; attribute: string }): string {
  return `locked: ${refusal.attribute} is false on the ${refusal.target.kind}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
