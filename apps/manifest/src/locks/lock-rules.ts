/**
 * The one place that decides whether a lock (ACR's changeable attributes) lets a write or a
 * read through, over attributes already read: pure functions, so a push made here, a peer's
 * push applied here and a lock change taking back what it refuses all decide alike.
 *
 * A repository's attributes apply to everything it holds: a tag or a manifest is as locked as
 * the repository it is in, and a pull by tag as locked as the tag, its manifest and the
 * repository. `writeEnabled=false` refuses changing the item (a push into the repository,
 * pointing the tag anywhere) and deleting it; `deleteEnabled=false` refuses deleting it; a
 * manifest's locks do not refuse pointing a tag at it or deleting a tag that points to it.
 */
import {
  type ChangeableAttributes,
  type LockTarget,
  RegistryError,
  compareHlc,
} from '@meridian/contracts';

export type Attribute = keyof ChangeableAttributes;

/** What an item without any lock change has: everything enabled. */
export const unlocked: ChangeableAttributes = {
  deleteEnabled: true,
  writeEnabled: true,
  readEnabled: true,
  listEnabled: true,
};

/** One change of an item's attributes: the whole set after it, and its clock reading. */
export interface AttributesChange {
  hlc: string;
  attributes: ChangeableAttributes;
}

/** An item's attributes as its newest change set them. */
export interface ItemAttributes {
  target: LockTarget;
  attributes: ChangeableAttributes;
}

/** The attributes a write or a read is judged by: its repository's and its items'. */
export interface Locks {
  repository: ChangeableAttributes;
  /** the tag the write or read names */
  tag?: ItemAttributes;
  /** the manifest the write or read names */
  manifest?: ItemAttributes;
  /** the tags pointing to the manifest (those with a lock change) */
  tagsOfManifest?: ItemAttributes[];
}

/** Which lock refuses: the item whose attribute is false. */
export interface Refusal {
  target: LockTarget;
  attribute: Attribute;
}

const write: Attribute[] = ['writeEnabled'];
// a delete changes the item too: deleteEnabled names the lock ACR's users set for it
const deletion: Attribute[] = ['deleteEnabled', 'writeEnabled'];
const read: Attribute[] = ['readEnabled'];

/**
 * The attributes in force at clock reading `at`: those of the newest change before it (all
 * enabled when none), or of the newest change of all when `at` is absent.
 */
export function attributesAt(
  changes: readonly AttributesChange[],
  at?: string,
): ChangeableAttributes {
  let newest: AttributesChange | undefined;
  for (const change of changes) {
    if (at !== undefined && compareHlc(change.hlc, at) >= 0) continue;
    if (newest === undefined || compareHlc(change.hlc, newest.hlc) > 0) newest = change;
  }
  return newest?.attributes ?? unlocked;
}

/** A push into the repository, pointing `tag` at the manifest when given. */
export function refusesPush(locks: Locks): Refusal | undefined {
  return firstRefusal(write, repositoryItem(locks), locks.tag);
}

/** Pointing a tag anywhere (a push by tag, a replicated tag update). */
export const refusesTagWrite = refusesPush;

/** Deleting the tag `locks.tag` names (not its manifest). */
export function refusesTagDelete(locks: Locks): Refusal | undefined {
  return firstRefusal(deletion, repositoryItem(locks), locks.tag);
}

/** Deleting a manifest, which deletes every tag pointing to it. */
export function refusesManifestDelete(locks: Locks): Refusal | undefined {
  return firstRefusal(
    deletion,
    repositoryItem(locks),
    locks.manifest,
    ...(locks.tagsOfManifest ?? []),
  );
}

/** Deleting the repository with everything in it: `items` are those with a lock change. */
export function refusesRepositoryDelete(
  repository: ChangeableAttributes,
  items: readonly ItemAttributes[],
): Refusal | undefined {
  return firstRefusal(
    deletion,
    { target: { kind: 'repository' }, attributes: repository },
    ...items,
  );
}

/** A pull of the manifest, by digest or by tag (then the tag's lock applies too). */
export function refusesRead(locks: Locks): Refusal | undefined {
  return firstRefusal(read, repositoryItem(locks), locks.tag, locks.manifest);
}

/** A write of a tag: pointing it at `digest`, or deleting it (null). */
export interface TagWrite {
  hlc: string;
  digest: string | null;
}

/**
 * The writes of a tag that the locks in force at their own readings permit, newest first:
 * the first is what the tag holds once every lock change has arrived, wherever and in
 * whatever order the writes and the changes were applied.
 */
export function permittedTagWrites(
  tag: string,
  writes: readonly TagWrite[],
  repositoryChanges: readonly AttributesChange[],
  tagChanges: readonly AttributesChange[],
): TagWrite[] {
  return [...writes]
    .sort((a, b) => compareHlc(b.hlc, a.hlc))
    .filter((written) => {
      const locks: Locks = {
        repository: attributesAt(repositoryChanges, written.hlc),
        tag: { target: { kind: 'tag', tag }, attributes: attributesAt(tagChanges, written.hlc) },
      };
      const refusal = written.digest === null ? refusesTagDelete(locks) : refusesTagWrite(locks);
      return refusal === undefined;
    });
}

/** Whether each read lock a pull passes lets it through (a pull path reads only these). */
export interface ReadEnabled {
  repository: boolean;
  manifest: boolean;
  /** when pulled by tag */
  tag?: boolean;
}

/** A pull of manifest `digest`, by `tag` when given. */
export function refusesPull(
  digest: string,
  tag: string | undefined,
  readEnabled: ReadEnabled,
): Refusal | undefined {
  const only = (readable: boolean) => ({ ...unlocked, readEnabled: readable });
  return refusesRead({
    repository: only(readEnabled.repository),
    manifest: { target: { kind: 'manifest', digest }, attributes: only(readEnabled.manifest) },
    ...(tag === undefined
      ? {}
      : { tag: { target: { kind: 'tag', tag }, attributes: only(readEnabled.tag ?? true) } }),
  });
}

/** The pushes of a manifest (their readings) that the repository's locks then permitted, newest first. */
export function permittedPushes(
  pushes: readonly string[],
  repositoryChanges: readonly AttributesChange[],
): string[] {
  return [...pushes]
    .sort((a, b) => compareHlc(b, a))
    .filter(
      (hlc) => refusesPush({ repository: attributesAt(repositoryChanges, hlc) }) === undefined,
    );
}

/** DENIED (403), naming the lock, e.g. `tag "v1" of repository "app" is locked: writeEnabled is false`. */
export function deniedByLock(repository: string, refusal: Refusal): RegistryError {
  const { target, attribute } = refusal;
  const what =
    target.kind === 'repository'
      ? `repository "${repository}"`
      : target.kind === 'tag'
        ? `tag "${target.tag}" of repository "${repository}"`
        : `manifest "${target.digest}" of repository "${repository}"`;
  return new RegistryError('DENIED', `${what} is locked: ${attribute} is false`, {
    repository,
    ...(target.kind === 'tag' ? { tag: target.tag } : {}),
    ...(target.kind === 'manifest' ? { digest: target.digest } : {}),
    attribute,
  });
}

function repositoryItem(locks: Locks): ItemAttributes {
  return { target: { kind: 'repository' }, attributes: locks.repository };
}

function firstRefusal(
  attributes: Attribute[],
  ...items: (ItemAttributes | undefined)[]
): Refusal | undefined {
  for (const attribute of attributes) {
    for (const item of items) {
      if (item !== undefined && !item.attributes[attribute]) {
        return { target: item.target, attribute };
      }
    }
  }
  return undefined;
}
