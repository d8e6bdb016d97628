/** Referrers in SQL: manifests found by their subject through `manifests_subject_idx`. */
import { Injectable } from '@nestjs/common';
import type { Descriptor } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export abstract class ReferrersRepository {
  /**
   * The manifests of the repository whose subject is `subject`, oldest first, only those of
   * `artifactType` when given. The subject itself need not exist.
   */
  abstract list(repository: string, subject: string, artifactType?: string): Promise<Descriptor[]>;
}

interface ReferrerRow {
  mediaType: string;
  digest: string;
  size: number;
  artifactType: string | null;
  annotations: Record<string, string> | null;
}

@Injectable()
export class SqlReferrersRepository implements ReferrersRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async list(repository: string, subject: string, artifactType?: string): Promise<Descriptor[]> {
    const sql = this.sql;
    const rows = await sql<ReferrerRow[]>`
      select media_type as "mediaType", digest, size, artifact_type as "artifactType", annotations
      from manifest.manifests
      where repository = ${repository} and subject = ${subject}
        ${artifactType === undefined ? sql`` : sql`and artifact_type = ${artifactType}`}
      order by created_at, digest`;
    return rows.map(toDescriptor);
  }
}

function toDescriptor(row: ReferrerRow): Descriptor {
  return {
    mediaType: row.mediaType,
    digest: row.digest,
    size: row.size,
    ...(row.artifactType === null ? {} : { artifactType: row.artifactType }),
    ...(row.annotations === null ? {} : { annotations: row.annotations }),
  };
}
