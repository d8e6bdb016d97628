/**
 * What a lock change takes back: the writes newer than it that it refuses, which a region may
 * have applied before the change arrived (a push in us-east racing a lock set in eu-west,
 * Azure/acr#592). Afterwards the region holds what it would hold had the change arrived
 * first, so every region ends the same whatever order the writes and the change arrived in:
 *
 * - a tag holds its newest write that the locks in force at that write's reading permit
 *   (tag_writes), or nothing when that write is a delete, points to a manifest not stored
 *   here, or an older one than a delete of the manifest or the repository;
 * - a manifest none of whose pushes the repository's locks then permitted is removed, with
 *   its tags (manifest_pushes: one pushed before the lock and again after it stays, at its
 *   newest permitted push);
 * - a tag delete the lock refuses no longer holds the tag's tombstone.
 *
 * It runs after every lock change, made here or applied from a peer, under the repository's
 * lock; a change made here is stamped after every write it could refuse, so here it finds
 * nothing to take back, and the same code runs where it does. An unlock runs it too: a write
 * refused while a lock that an older unlock ended was all this region knew comes back, and
 * once a manifest is stored the tags and the push reading that waited for it settle too
 * (settleTagsWaitingFor, settleNewestPush).
 *
 * What cannot come back is a push refused here whose bytes this region never stored. With
 * three or more regions, a push made after an unlock can reach this region before the unlock
 * does (they travel on different regions' streams); the push is then refused here and stays
 * out until it is pushed again. Manifest and repository deletes are never taken back (their
 * bytes are gone), as replicated-writes.service.ts says.
 */
import type { LockTarget } from '@meridian/contracts';
import type { TransactionSql } from '@meridian/database';
import { type AttributesChange, permittedPushes, permittedTagWrites } from './lock-rules';
import { forgetLocks, lockChangesOf, tagWritesOf } from './lock-rows';

/** One write taken back, for the log. */
export type TakenBack =
  | { kind: 'manifest'; digest: string; pushed: string }
  | {
      kind: 'tag';
      tag: string;
      /** the digest the tag pointed to before, undefined when it did not exist */
      from: string | undefined;
      /** the digest it points to now, undefined when it is gone */
      to: string | undefined;
    }
  | { kind: 'tag-delete'; tag: string; hlc: string };

export async function takeBackRefused(
  tx: TransactionSql,
  repository: string,
  target: LockTarget,
  changedAt: string,
): Promise<TakenBack[]> {
  // a manifest's locks refuse only deleting it, and a refused manifest delete is not taken back
  if (target.kind === 'manifest') return [];
  const repositoryChanges = await lockChangesOf(tx, repository, { kind: 'repository' });
  const takenBack: TakenBack[] = [];
  let tags: string[];
  if (target.kind === 'repository') {
    takenBack.push(...(await removeRefusedManifests(tx, repository, repositoryChanges, changedAt)));
    const rows = await tx<{ tag: string }[]>`
      select distinct tag from manifest.tag_writes
      where repository = ${repository} and hlc > ${changedAt}
      order by tag`;
    tags = rows.map((row) => row.tag);
  } else {
    const newer = await tx`
      select 1 from manifest.tag_writes
      where repository = ${repository} and tag = ${target.tag} and hlc > ${changedAt}
      limit 1`;
    tags = newer.length > 0 ? [target.tag] : [];
  }
  for (const tag of tags) {
    takenBack.push(...(await settleTag(tx, repository, tag, repositoryChanges)));
  }
  return takenBack;
}

/**
 * After a manifest is stored: the tags whose history points to it with a write newer than
 * what they hold. Such a write was decided while the manifest was not here (a tag update that
 * a lock refused before its unlock arrived, settled again when the unlock came but without
 * the manifest to point to); now that it is here, the tag holds what it would had the
 * manifest come first. A push's own tag write is set already and is not among them.
 */
export async function settleTagsWaitingFor(
  tx: TransactionSql,
  repository: string,
  digest: string,
): Promise<TakenBack[]> {
  const waiting = await tx<{ tag: string }[]>`
    select distinct w.tag from manifest.tag_writes w
    left join manifest.tags t on t.repository = w.repository and t.name = w.tag
    where w.repository = ${repository} and w.digest = ${digest}
      and (t.hlc is null or w.hlc > t.hlc)
    order by w.tag`;
  if (waiting.length === 0) return [];
  const repositoryChanges = await lockChangesOf(tx, repository, { kind: 'repository' });
  const settled: TakenBack[] = [];
  for (const { tag } of waiting) {
    settled.push(...(await settleTag(tx, repository, tag, repositoryChanges)));
  }
  return settled;
}

/**
 * After a manifest is stored by a push the locks permit: its reading is its newest permitted
 * push, which may be a push of the same bytes refused when it arrived, permitted by an
 * unlock that came after it.
 */
export async function settleNewestPush(
  tx: TransactionSql,
  repository: string,
  digest: string,
): Promise<void> {
  const [repositoryChanges, pushes] = await Promise.all([
    lockChangesOf(tx, repository, { kind: 'repository' }),
    tx<{ hlc: string }[]>`
      select hlc from manifest.manifest_pushes
      where repository = ${repository} and digest = ${digest}`,
  ]);
  const [newest] = permittedPushes(
    pushes.map((push) => push.hlc),
    repositoryChanges,
  );
  if (newest === undefined) return;
  await tx`
    update manifest.manifests set hlc = ${newest}
    where repository = ${repository} and digest = ${digest} and hlc < ${newest}`;
}

async function removeRefusedManifests(
  tx: TransactionSql,
  repository: string,
  repositoryChanges: AttributesChange[],
  changedAt: string,
): Promise<TakenBack[]> {
  const pushedAfter = await tx<{ digest: string; hlc: string; pushes: string[] }[]>`
    select m.digest, m.hlc, array(
      select p.hlc from manifest.manifest_pushes p
      where p.repository = m.repository and p.digest = m.digest) as pushes
    from manifest.manifests m
    where m.repository = ${repository} and exists (
      select 1 from manifest.manifest_pushes p
      where p.repository = m.repository and p.digest = m.digest and p.hlc > ${changedAt})`;
  const takenBack: TakenBack[] = [];
  for (const manifest of pushedAfter) {
    const [newest] = permittedPushes(manifest.pushes, repositoryChanges);
    if (newest === undefined) {
      // its tags go with it (foreign key); settling the tags then restores what they held
      await tx`
        delete from manifest.manifests
        where repository = ${repository} and digest = ${manifest.digest}`;
      takenBack.push({ kind: 'manifest', digest: manifest.digest, pushed: manifest.hlc });
    } else if (newest !== manifest.hlc) {
      await tx`
        update manifest.manifests set hlc = ${newest}
        where repository = ${repository} and digest = ${manifest.digest}`;
    }
  }
  return takenBack;
}

/** Makes the tag hold its newest permitted write, and its tombstone its newest permitted delete. */
async function settleTag(
  tx: TransactionSql,
  repository: string,
  tag: string,
  repositoryChanges: AttributesChange[],
): Promise<TakenBack[]> {
  const [writes, tagChanges] = await Promise.all([
    tagWritesOf(tx, repository, tag),
    lockChangesOf(tx, repository, { kind: 'tag', tag }),
  ]);
  const permitted = permittedTagWrites(tag, writes, repositoryChanges, tagChanges);
  const newest = permitted[0];
  const [state] = await tx<
    {
      current: string | null;
      currentHlc: string | null;
      tombstone: string | null;
      repositoryDeleted: string | null;
      manifestDeleted: string | null;
      stored: boolean;
    }[]
  >`
    select
      (select digest from manifest.tags where repository = ${repository} and name = ${tag})
        as current,
      (select hlc from manifest.tags where repository = ${repository} and name = ${tag})
        as "currentHlc",
      (select hlc from manifest.tag_tombstones where repository = ${repository} and name = ${tag})
        as tombstone,
      (select hlc from manifest.repository_tombstones where name = ${repository})
        as "repositoryDeleted",
      (select hlc from manifest.manifest_tombstones
        where repository = ${repository} and digest = ${newest?.digest ?? null})
        as "manifestDeleted",
      exists (select 1 from manifest.manifests
        where repository = ${repository} and digest = ${newest?.digest ?? null}) as stored`;
  const { current, currentHlc, tombstone, repositoryDeleted, manifestDeleted, stored } = state!;
  const holding =
    newest !== undefined &&
    newest.digest !== null &&
    stored &&
    (repositoryDeleted === null || repositoryDeleted < newest.hlc) &&
    (manifestDeleted === null || manifestDeleted < newest.hlc)
      ? { hlc: newest.hlc, digest: newest.digest }
      : undefined;
  const takenBack: TakenBack[] = [];

  if (holding && (current !== holding.digest || currentHlc !== holding.hlc)) {
    await tx`
      insert into manifest.tags (repository, name, digest, hlc)
      values (${repository}, ${tag}, ${holding.digest}, ${holding.hlc})
      on conflict (repository, name) do update
        set digest = excluded.digest, hlc = excluded.hlc, updated_at = now()`;
  } else if (!holding && current !== null) {
    await tx`delete from manifest.tags where repository = ${repository} and name = ${tag}`;
  }
  if ((current ?? undefined) !== holding?.digest) {
    takenBack.push({ kind: 'tag', tag, from: current ?? undefined, to: holding?.digest });
  }

  // a tombstone a refused delete left would keep permitted writes older than it out
  const newestDelete = permitted.find((written) => written.digest === null);
  const deletedInHistory = writes.some(
    (written) => written.digest === null && written.hlc === tombstone,
  );
  if (tombstone !== null && deletedInHistory && newestDelete?.hlc !== tombstone) {
    takenBack.push({ kind: 'tag-delete', tag, hlc: tombstone });
    if (newestDelete === undefined) {
      await tx`delete from manifest.tag_tombstones where repository = ${repository} and name = ${tag}`;
    } else {
      await tx`
        update manifest.tag_tombstones set hlc = ${newestDelete.hlc}
        where repository = ${repository} and name = ${tag}`;
    }
  }
  // a permitted delete takes the tag's older locks with it, as it does where it is applied
  // after the lock (replicated-writes.service.ts), so the tag's locks end the same too
  if (newestDelete !== undefined) {
    await forgetLocks(tx, repository, { kind: 'tag', tag }, newestDelete.hlc);
  }
  return takenBack;
}
