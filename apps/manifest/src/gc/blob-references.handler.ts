/**
 * `manifest.blob-references`: the blob service's garbage collector asks which blobs the
 * region's manifests reference, with the blobs held (libs/database blob-holds.ts). Answered
 * from `blob_references` (migration 0009), which a trigger keeps exact in every manifest
 * write's transaction, in a statement of its own: its snapshot sees every manifest committed
 * before the question.
 */
import { Controller, Injectable } from '@nestjs/common';
import { type BlobLink, type RpcRequest, type RpcResponse, gcRpc } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { MessagePattern, Payload } from '@nestjs/microservices';

type References = typeof gcRpc.references;

export abstract class BlobReferencesRepository {
  /** The links among `links` whose repository has a manifest referencing the blob. */
  abstract referencedLinks(links: BlobLink[]): Promise<BlobLink[]>;
  /** The digests among `digests` some manifest of the region references. */
  abstract referencedDigests(digests: string[]): Promise<string[]>;
}

@Injectable()
export class SqlBlobReferencesRepository implements BlobReferencesRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async referencedLinks(links: BlobLink[]): Promise<BlobLink[]> {
    if (links.length === 0) return [];
    return this.sql<BlobLink[]>`
      select q.repository, q.digest
      from unnest(${links.map((link) => link.repository)}::text[],
                  ${links.map((link) => link.digest)}::text[]) as q (repository, digest)
      where exists (
        select 1 from manifest.blob_references r
        where r.digest = q.digest and r.repository = q.repository collate "C"
      )`;
  }

  async referencedDigests(digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    const rows = await this.sql<{ digest: string }[]>`
      select q.digest from unnest(${digests}::text[]) as q (digest)
      where exists (select 1 from manifest.blob_references r where r.digest = q.digest)`;
    return rows.map((row) => row.digest);
  }
}

@Controller()
export class BlobReferencesHandler {
  constructor(private readonly references: BlobReferencesRepository) {}

  @MessagePattern(gcRpc.references.pattern)
  async answer(@Payload() request: RpcRequest<References>): Promise<RpcResponse<References>> {
    const [links, digests] = await Promise.all([
      this.references.referencedLinks(request.links),
      this.references.referencedDigests(request.digests),
    ]);
    return { links, digests };
  }
}
