import { Injectable } from '@nestjs/common';
import type { Descriptor } from '@meridian/contracts';
import { ReferrersRepository } from './referrers.repository';

export interface ListReferrers {
  repository: string;
  digest: string;
  artifactType?: string;
}

@Injectable()
export class ReferrersService {
  constructor(private readonly referrers: ReferrersRepository) {}

  /**
   * Descriptors of the manifests that name `digest` as their subject, with the artifactType
   * each was given when pushed. An unknown repository or subject has no referrers: the
   * referrers API answers an empty index rather than 404 (distribution-spec 1.1).
   */
  async list({
    repository,
    digest,
    artifactType,
  }: ListReferrers): Promise<{ manifests: Descriptor[] }> {
    return { manifests: await this.referrers.list(repository, digest, artifactType) };
  }
}
