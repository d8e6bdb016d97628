/**
 * The rows both kinds of write store, a push made here (manifests.repository.ts) and a
 * push another region made that replication applies (replication/replicated-writes.repository.ts):
 * the repository, the manifest, and the lookups that check an index's children. Each runs in
 * the caller's transaction, under the repository's lock (lock-repository.ts).
 */
import type { ManifestPushed } from '@meridian/contracts';
import type { TransactionSql } from '@meridian/database';

/** A manifest named by tag or by digest, as in `/v2/<name>/manifests/<reference>`. */
export type TagOrDigest = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };

/** What must be present for a manifest to be pullable: its blobs and child manifests. */
export type ManifestReferences = ManifestPushed['references'];

export interface NewManifest {
  repository: string;
  digest: string;
  /** the push's clock reading; a push of stored bytes raises the stored one to it */
  hlc: string;
  mediaType: string;
  body: Uint8Array;
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  references: ManifestReferences;
}

/** Creates the repository unless it exists. */
export async function ensureRepository(tx: TransactionSql, repository: string): Promise<void> {
  await tx`insert into manifest.repositories (name) values (${repository}) on conflict do nothing`;
}

/** The digests among `digests` that are manifests of the repository. */
export async function existingManifests(
  tx: TransactionSql,
  repository: string,
  digests: string[],
): Promise<string[]> {
  if (digests.length === 0) return [];
  const rows = await tx<{ digest: string }[]>`
    select digest from manifest.manifests
    where repository = ${repository} and digest = any(${digests}::text[])`;
  return rows.map((row) => row.digest);
}

/** The sizes of the manifests among `digests` that the repository has, by digest. */
export async function manifestSizes(
  tx: TransactionSql,
  repository: string,
  digests: string[],
): Promise<Map<string, number>> {
  if (digests.length === 0) return new Map();
  const rows = await tx<{ digest: string; size: number }[]>`
    select digest, size from manifest.manifests
    where repository = ${repository} and digest = any(${digests}::text[])`;
  return new Map(rows.map((row) => [row.digest, row.size]));
}

/** Stores a manifest; nothing happens when the digest is stored already (same bytes). */
export async function insertManifest(tx: TransactionSql, manifest: NewManifest): Promise<void> {
  // A manifest that exists already is updated (its newest push), which locks its row until
  // this push commits: a concurrent delete of it waits for the push (and then removes the
  // new tag too) instead of removing the row between this insert and the tag that points
  // to it.
  await tx`
    insert into manifest.manifests
      (repository, digest, media_type, size, body, subject, artifact_type, annotations, refs, hlc)
    values (
      ${manifest.repository}, ${manifest.digest}, ${manifest.mediaType},
      ${manifest.body.byteLength}, ${Buffer.from(manifest.body)},
      ${manifest.subject ?? null}, ${manifest.artifactType ?? null},
      ${manifest.annotations ? tx.json(manifest.annotations) : null},
      ${tx.json(manifest.references as never)}, ${manifest.hlc}
    )
    on conflict (repository, digest) do update
      set hlc = greatest(manifests.hlc, excluded.hlc)`;
  await recordPush(tx, manifest.repository, manifest.digest, manifest.hlc);
}

/**
 * Adds a push to the manifest's history (migration 0006), stored or refused by a lock, for a
 * lock change that arrives after it (locks/take-back.ts).
 */
export async function recordPush(
  tx: TransactionSql,
  repository: string,
  digest: string,
  hlc: string,
): Promise<void> {
  await tx`
    insert into manifest.manifest_pushes (repository, digest, hlc)
    values (${repository}, ${digest}, ${hlc})
    on conflict do nothing`;
}
