/**
 * Tombstones: a delete's clock reading kept after its rows are gone, so a write older than
 * the delete that arrives late from another region is recognised and dropped. A tombstone
 * only rises: of two deletes of one thing, the newer reading stands.
 */
import type { TransactionSql } from '@meridian/database';
import type { TagOrDigest } from './manifest-rows';

/** What a delete removed, and what its tombstone covers: a repository, a manifest, a tag. */
export type Deleted = { kind: 'repository' } | TagOrDigest;

export async function recordDelete(
  tx: TransactionSql,
  repository: string,
  deleted: Deleted,
  hlc: string,
): Promise<void> {
  switch (deleted.kind) {
    case 'repository':
      // Each tag and manifest the delete removes keeps a tombstone of its own: once the name
      // is pushed again the repository's tombstone no longer says what it removed, and a
      // region must still never fetch those from a lagging peer (wasDeleted).
      await tx`
        insert into manifest.repository_tombstones (name, hlc) values (${repository}, ${hlc})
        on conflict (name) do update set hlc = greatest(repository_tombstones.hlc, excluded.hlc)`;
      await tx`
        insert into manifest.tag_tombstones (repository, name, hlc)
        select repository, name, ${hlc} from manifest.tags
        where repository = ${repository} and hlc < ${hlc}
        on conflict (repository, name) do update
          set hlc = greatest(tag_tombstones.hlc, excluded.hlc)`;
      await tx`
        insert into manifest.manifest_tombstones (repository, digest, hlc)
        select repository, digest, ${hlc} from manifest.manifests
        where repository = ${repository} and hlc < ${hlc}
        on conflict (repository, digest) do update
          set hlc = greatest(manifest_tombstones.hlc, excluded.hlc)`;
      return;
    case 'digest':
      await tx`
        insert into manifest.manifest_tombstones (repository, digest, hlc)
        values (${repository}, ${deleted.digest}, ${hlc})
        on conflict (repository, digest) do update
          set hlc = greatest(manifest_tombstones.hlc, excluded.hlc)`;
      return;
    case 'tag':
      await tx`
        insert into manifest.tag_tombstones (repository, name, hlc)
        values (${repository}, ${deleted.tag}, ${hlc})
        on conflict (repository, name) do update
          set hlc = greatest(tag_tombstones.hlc, excluded.hlc)`;
      return;
  }
}
