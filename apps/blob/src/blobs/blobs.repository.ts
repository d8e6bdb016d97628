/**
 * Blob presence in SQL: `blob.blobs` holds every blob whose bytes the region's store has,
 * `blob.repository_blobs` which repositories see it, `blob.repository_blob_tombstones` which
 * repositories it was deleted from here (migrations/0002). A change and its event commit in one
 * transaction (outbox). An event is written only when a repository gains or loses a blob,
 * so a repeated mount or delete announces nothing twice; a link made for replication
 * announces nothing at all (the origin region announced the upload).
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, type EventEnvelope, blobDeleted, blobUploaded } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, beginPipelined, holdBlobsShared } from '@meridian/database';
import { QuotaCrossings } from '../usage/quota-crossings';

export interface MountRequest {
  repository: string;
  digest: string;
  /** the repository to mount from; any repository that sees the blob when absent */
  from?: string;
}

export interface Mounted {
  blob: BlobInfo;
  /** false when the repository saw the blob already */
  linked: boolean;
}

export abstract class BlobsRepository {
  /** The blob if `repository` sees it. */
  abstract find(repository: string, digest: string): Promise<BlobInfo | undefined>;

  /** The blobs among `digests` that `repository` sees, in no particular order. */
  abstract findMany(repository: string, digests: string[]): Promise<BlobInfo[]>;

  /**
   * Links the blob to `request.repository` if the source sees it, with `blob.uploaded.v1`
   * (`mountedFrom`) when the link is new; undefined when the source does not see it.
   */
  abstract mount(request: MountRequest, envelope: EventEnvelope): Promise<Mounted | undefined>;

  /**
   * Records a blob whose bytes the store holds and links it to the repository, both unless
   * done already; no event. `requireStored` checks the bytes are at the blob's key; it runs
   * with the digest held (libs/database blob-holds.ts), so they stay there.
   */
  abstract link(
    repository: string,
    blob: BlobInfo,
    requireStored: () => Promise<void>,
  ): Promise<void>;

  /** Removes the link, leaving a tombstone, with `blob.deleted.v1`; false when there was none. */
  abstract unlink(repository: string, digest: string, envelope: EventEnvelope): Promise<boolean>;

  /** Whether the blob was deleted from the repository here and not linked to it since. */
  abstract wasDeleted(repository: string, digest: string): Promise<boolean>;
}

interface BlobRow {
  digest: string;
  size: string;
}

@Injectable()
export class SqlBlobsRepository implements BlobsRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
    private readonly crossings: QuotaCrossings,
  ) {}

  async find(repository: string, digest: string): Promise<BlobInfo | undefined> {
    const [row] = await this.sql<BlobRow[]>`
      select b.digest, b.size
      from blob.repository_blobs l join blob.blobs b on b.digest = l.digest
      where l.repository = ${repository} and l.digest = ${digest}`;
    return row && toBlobInfo(row);
  }

  async findMany(repository: string, digests: string[]): Promise<BlobInfo[]> {
    if (digests.length === 0) return [];
    const rows = await this.sql<BlobRow[]>`
      select b.digest, b.size
      from blob.repository_blobs l join blob.blobs b on b.digest = l.digest
      where l.repository = ${repository} and l.digest = any(${digests}::text[])`;
    return rows.map(toBlobInfo);
  }

  async mount(request: MountRequest, envelope: EventEnvelope): Promise<Mounted | undefined> {
    const { repository, digest, from } = request;
    return this.sql.begin(async (tx) => {
      await holdBlobsShared(tx, [digest]);
      // a link made again starts its grace period over (xmax = 0: the row is new)
      const [row] = await tx<{ source: string; size: string; linked: boolean }[]>`
        with source as (
          select l.repository, b.size
          from blob.repository_blobs l join blob.blobs b on b.digest = l.digest
          where l.digest = ${digest} ${from === undefined ? tx`` : tx`and l.repository = ${from}`}
          limit 1
        ), link as (
          insert into blob.repository_blobs (repository, digest)
          select ${repository}, ${digest} from source
          on conflict (repository, digest) do update set created_at = now(), unreferenced_since = null
          returning xmax = 0 as inserted
        )
        select source.repository as source, source.size,
          coalesce((select inserted from link), false) as linked
        from source`;
      if (!row) return undefined;
      const blob = { digest, size: Number(row.size) };
      if (row.linked) {
        await this.outbox.write(tx, blobUploaded, {
          ...envelope,
          repository,
          ...blob,
          mountedFrom: row.source,
        });
        await this.crossings.settle(tx, repository, envelope);
      }
      return { blob, linked: row.linked };
    });
  }

  async link(
    repository: string,
    { digest, size }: BlobInfo,
    requireStored: () => Promise<void>,
  ): Promise<void> {
    // Without a quota, two round trips: BEGIN with the hold and the quota lookup, the link with
    // COMMIT. The lookup is the transaction's own: a transaction that waits on a query needing
    // a second pooled connection holds the whole pool once every connection waits that way.
    await beginPipelined(this.sql, async (tx, commitWith) => {
      const held = holdBlobsShared(tx, [digest]);
      const quotaApplies = this.crossings.applies(tx, repository);
      quotaApplies.catch(() => undefined); // awaited below, unless the transaction fails before
      await held;
      await requireStored();
      // one statement: the link's foreign key is checked at its end, after the blob row; a
      // doomed row is live again, a link made again starts its grace period over
      const statement = tx<{ inserted: boolean }[]>`
        with blob as (
          insert into blob.blobs (digest, size) values (${digest}, ${size})
          on conflict (digest) do update set state = 'live', doomed_at = null
            where blob.blobs.state = 'doomed'
        )
        insert into blob.repository_blobs (repository, digest) values (${repository}, ${digest})
        on conflict (repository, digest) do update set created_at = now(), unreferenced_since = null
        returning xmax = 0 as inserted`;
      if (!(await quotaApplies)) {
        await commitWith(statement);
        return;
      }
      const [row] = await statement;
      // replicated bytes fill this region's store too: its quotas hear of it
      if (row?.inserted) await this.crossings.settle(tx, repository);
    });
  }

  async unlink(repository: string, digest: string, envelope: EventEnvelope): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const removed = await tx`
        delete from blob.repository_blobs where repository = ${repository} and digest = ${digest} returning 1`;
      if (removed.length === 0) return false;
      await tx`
        insert into blob.repository_blob_tombstones (repository, digest)
        values (${repository}, ${digest})
        on conflict (repository, digest) do update set deleted_at = now()`;
      await this.outbox.write(tx, blobDeleted, { ...envelope, repository, digest });
      // lowers the level announced, so the next crossing is announced again
      await this.crossings.settle(tx, repository, envelope);
      return true;
    });
  }

  async wasDeleted(repository: string, digest: string): Promise<boolean> {
    const rows = await this.sql`
      select 1 from blob.repository_blob_tombstones
      where repository = ${repository} and digest = ${digest}`;
    return rows.length > 0;
  }
}

function toBlobInfo(row: BlobRow): BlobInfo {
  return { digest: row.digest, size: Number(row.size) };
}
