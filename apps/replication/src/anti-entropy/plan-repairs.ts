/**
 * Anti-entropy's decisions, pure: which repositories two regions hold differently (from pages
 * of summaries), and what this region lacks of a peer's state of one repository. A repair is
 * what the peer's event of the same write would have done here, with the same clock reading:
 * it goes through `manifest.apply` like the event, so it applies only if it is the newest
 * write of what it touches (newest clock wins), and can never undo a newer write made here.
 * Nothing is planned for what this region holds and the peer lacks: the peer repairs that
 * from this region in its own pass, so each region only ever writes its own database.
 */
import {
  type ChangeableAttributes,
  type Hlc,
  type ReplicatedSetting,
  type RepositoryState,
  type RepositorySummary,
  parseHlc,
} from '@meridian/contracts';

export type StateManifest = RepositoryState['manifests'][number];

export type Repair =
  | { kind: 'repository-delete'; hlc: Hlc }
  | { kind: 'manifest-delete'; digest: string; hlc: Hlc }
  | { kind: 'tag-delete'; tag: string; digest: string; hlc: Hlc }
  | {
      kind: 'lock';
      target: 'repository' | 'tag' | 'manifest';
      name: string;
      attributes: ChangeableAttributes;
      hlc: Hlc;
    }
  | { kind: 'manifest'; manifest: StateManifest }
  | { kind: 'tag'; tag: string; digest: string; mediaType: string; hlc: Hlc }
  | { kind: 'setting'; setting: ReplicatedSetting };

export type RepairKind = Repair['kind'];

export const repairKinds: readonly RepairKind[] = [
  'repository-delete',
  'manifest-delete',
  'tag-delete',
  'lock',
  'manifest',
  'tag',
  'setting',
];

export interface ComparedPage {
  /** repositories both pages cover that the two regions hold differently */
  differing: string[];
  /** repositories both pages cover */
  compared: number;
  /** where the next pages start; undefined when both regions listed their last repository */
  next?: string;
}

/**
 * Compares one page of summaries of each region, both listed after the same name. Only the
 * names up to the shorter page's last one are covered by both (a name past it may be on the
 * other region's next page), so the comparison stops there and the next pages start after it.
 */
export function comparePages(
  mine: { repositories: RepositorySummary[]; more: boolean },
  theirs: { repositories: RepositorySummary[]; more: boolean },
): ComparedPage {
  const ends = [mine, theirs]
    .filter((page) => page.more && page.repositories.length > 0)
    .map((page) => page.repositories[page.repositories.length - 1]!.repository);
  const bound = ends.length === 0 ? undefined : ends.sort(byteOrder)[0];
  const covered = (name: string) => bound === undefined || byteOrder(name, bound) <= 0;
  const own = new Map(mine.repositories.map((entry) => [entry.repository, entry.summary]));
  const peer = new Map(theirs.repositories.map((entry) => [entry.repository, entry.summary]));
  const names = [...new Set([...own.keys(), ...peer.keys()])].filter(covered).sort(byteOrder);
  return {
    differing: names.filter((name) => own.get(name) !== peer.get(name)),
    compared: names.length,
    ...(bound === undefined ? {} : { next: bound }),
  };
}

export interface PlanOptions {
  /** readings whose wall time is past this (ms) are ahead of the allowed clock skew: left for later */
  maxWallMs: number;
}

export interface Plan {
  /** in the order they apply: deletes, locks, manifests (children first), tags */
  repairs: Repair[];
  /** the peer's writes left out because their readings are ahead of the allowed skew */
  ahead: number;
}

/** What this region lacks, or holds older, of `peer`'s state of one repository. */
export function planRepairs(
  local: RepositoryState,
  peer: RepositoryState,
  options: PlanOptions,
): Plan {
  let ahead = 0;
  const inTime = (hlc: Hlc): boolean => {
    if (parseHlc(hlc).wallMs <= options.maxWallMs) return true;
    ahead += 1;
    return false;
  };
  const repairs: Repair[] = [];

  if (peer.deleted !== undefined && newer(peer.deleted, local.deleted) && inTime(peer.deleted))
    repairs.push({ kind: 'repository-delete', hlc: peer.deleted });

  const localManifestDeletes = byKey(local.deletedManifests, (entry) => entry.digest);
  for (const { digest, hlc } of peer.deletedManifests) {
    if (newer(hlc, localManifestDeletes.get(digest)?.hlc) && inTime(hlc))
      repairs.push({ kind: 'manifest-delete', digest, hlc });
  }

  const localTags = byKey(local.tags, (entry) => entry.name);
  const localTagDeletes = byKey(local.deletedTags, (entry) => entry.name);
  for (const { name, hlc, digest } of peer.deletedTags) {
    if (!newer(hlc, localTagDeletes.get(name)?.hlc)) continue;
    // the event names what the tag pointed to; without it there is nothing to say it with
    const pointedTo = digest ?? localTags.get(name)?.digest;
    if (pointedTo !== undefined && inTime(hlc))
      repairs.push({ kind: 'tag-delete', tag: name, digest: pointedTo, hlc });
  }

  const localLocks = new Set(local.locks.map(lockKey));
  for (const lock of peer.locks) {
    if (!localLocks.has(lockKey(lock)) && inTime(lock.hlc)) repairs.push({ kind: 'lock', ...lock });
  }

  const localManifests = byKey(local.manifests, (entry) => entry.digest);
  const peerManifestDeletes = byKey(peer.deletedManifests, (entry) => entry.digest);
  const deletedAfter = (digest: string, hlc: Hlc) =>
    [
      local.deleted,
      peer.deleted,
      localManifestDeletes.get(digest)?.hlc,
      peerManifestDeletes.get(digest)?.hlc,
    ].some((deleted) => deleted !== undefined && deleted > hlc);
  const manifests = peer.manifests.filter(
    (manifest) =>
      newer(manifest.hlc, localManifests.get(manifest.digest)?.hlc) &&
      !deletedAfter(manifest.digest, manifest.hlc) &&
      inTime(manifest.hlc),
  );
  // an index applies once its children are stored: children first
  manifests.sort(
    (a, b) => Number(a.references.manifests.length > 0) - Number(b.references.manifests.length > 0),
  );
  for (const manifest of manifests) repairs.push({ kind: 'manifest', manifest });

  const peerManifests = byKey(peer.manifests, (entry) => entry.digest);
  for (const { name, digest, hlc } of peer.tags) {
    const held = localTags.get(name);
    if (!newer(hlc, held?.hlc) || !newer(hlc, localTagDeletes.get(name)?.hlc)) continue;
    const manifest = peerManifests.get(digest);
    if (manifest !== undefined && inTime(hlc))
      repairs.push({ kind: 'tag', tag: name, digest, mediaType: manifest.mediaType, hlc });
  }
  return { repairs, ahead };
}

/** The peer's settings newer than this region's. */
export function planSettingRepairs(
  local: readonly ReplicatedSetting[],
  peer: readonly ReplicatedSetting[],
  options: PlanOptions,
): Plan {
  const held = byKey(local, (setting) => setting.name);
  let ahead = 0;
  const repairs: Repair[] = [];
  for (const setting of peer) {
    if (!newer(setting.hlc, held.get(setting.name)?.hlc)) continue;
    if (parseHlc(setting.hlc).wallMs > options.maxWallMs) ahead += 1;
    else repairs.push({ kind: 'setting', setting });
  }
  return { repairs, ahead };
}

function newer(reading: Hlc, than: Hlc | undefined): boolean {
  return than === undefined || reading > than;
}

function lockKey(lock: RepositoryState['locks'][number]): string {
  return `${lock.target}/${lock.name}/${lock.hlc}`;
}

function byKey<T>(entries: readonly T[], key: (entry: T) => string): Map<string, T> {
  return new Map(entries.map((entry) => [key(entry), entry]));
}

/** Repository names compare byte by byte, as the manifest service lists them (collate "C"). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
