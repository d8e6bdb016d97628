/**
 * The newest clock reading among a repository's rows and tombstones that a local write is
 * about to change. A local write reads it under the repository's lock and merges it into the
 * service's clock before stamping itself, so its reading sorts after everything it
 * supersedes, even when another replica of the service applied that (its clock saw a
 * reading this one did not) or a restart reset this clock while a peer region's clock runs
 * ahead. Without it, this region would show the local write while every peer, settling by
 * the clock, kept the older one.
 *
 * A tag's and a manifest's histories count too (a peer's write this region refused or has
 * yet to settle),
 * and the repository's lock changes count as writes it supersedes: a write checked against the
 * newest lock this region knows is stamped after it, so every region judges it by that lock
 * too (locks/lock-rules.ts), and a lock change is stamped after every write it could refuse.
 */
import type { TransactionSql } from '@meridian/database';

/** What a local write changes: a whole repository, or a manifest and/or a tag of it. */
export type WriteScope = { kind: 'repository' } | { kind: 'image'; digest?: string; tag?: string };

export async function newestWrite(
  tx: TransactionSql,
  repository: string,
  scope: WriteScope,
): Promise<string | undefined> {
  const [row] = await tx<{ hlc: string | null }[]>`
    select max(hlc) as hlc from (
      select hlc from manifest.repository_tombstones where name = ${repository}
      union all select hlc from manifest.lock_changes where repository = ${repository}
      ${scope.kind === 'repository' ? wholeRepository(tx, repository) : image(tx, repository, scope)}
    ) written`;
  return row?.hlc ?? undefined;
}

function wholeRepository(tx: TransactionSql, repository: string) {
  return tx`
    union all select hlc from manifest.manifests where repository = ${repository}
    union all select hlc from manifest.tags where repository = ${repository}
    union all select hlc from manifest.tag_writes where repository = ${repository}
    union all select hlc from manifest.manifest_pushes where repository = ${repository}`;
}

function image(
  tx: TransactionSql,
  repository: string,
  { digest, tag }: { digest?: string; tag?: string },
) {
  const byDigest = digest ?? null;
  const byTag = tag ?? null;
  return tx`
    union all select hlc from manifest.manifests
      where repository = ${repository} and digest = ${byDigest}
    union all select hlc from manifest.manifest_tombstones
      where repository = ${repository} and digest = ${byDigest}
    union all select hlc from manifest.manifest_pushes
      where repository = ${repository} and digest = ${byDigest}
    union all select hlc from manifest.tags
      where repository = ${repository} and (digest = ${byDigest} or name = ${byTag})
    union all select hlc from manifest.tag_tombstones
      where repository = ${repository} and name = ${byTag}
    union all select hlc from manifest.tag_writes
      where repository = ${repository} and tag = ${byTag}`;
}
