/**
 * ACR's metadata reads: what the repository, tag and manifest rows say, shaped as ACR's
 * API answers them, with NAME_UNKNOWN and MANIFEST_UNKNOWN for what does not exist. An
 * empty page of a repository that does exist is an empty list, as on `/v2`.
 */
import { Injectable } from '@nestjs/common';
import {
  type AcrManifestInfo,
  type AcrOrderBy,
  type AcrRepositoryInfo,
  type AcrTagInfo,
  RegistryError,
} from '@meridian/contracts';
import { pageRows, rowsToRead } from '../paging/page-rows';
import { AcrMetadataRepository, type ManifestRow, type TagRow } from './acr-metadata.repository';

export interface AcrListing {
  repository: string;
  orderby: AcrOrderBy;
  n?: number;
  last?: string;
}

const quarantineStates = {
  quarantined: 'Quarantined',
  passed: 'Passed',
  failed: 'Failed',
} as const;

@Injectable()
export class AcrMetadataService {
  constructor(private readonly rows: AcrMetadataRepository) {}

  async repository(repository: string): Promise<AcrRepositoryInfo> {
    const row = await this.rows.repository(repository);
    if (row === undefined) throw nameUnknown(repository);
    return {
      name: repository,
      createdTime: row.createdAt.toISOString(),
      lastUpdateTime: row.lastUpdateAt.toISOString(),
      manifestCount: row.manifestCount,
      tagCount: row.tagCount,
      changeableAttributes: row.changeableAttributes,
    };
  }

  async tags(
    listing: AcrListing & { digest?: string },
  ): Promise<{ tags: AcrTagInfo[]; more: boolean }> {
    const rows = await this.rows.tags(listing.repository, {
      orderby: listing.orderby,
      last: listing.last,
      digest: listing.digest,
      limit: rowsToRead(listing.n),
    });
    if (rows.length === 0) await this.repository(listing.repository);
    const page = pageRows(rows, listing.n);
    return { tags: page.items.map(tagInfo), more: page.more };
  }

  async tag(repository: string, tag: string): Promise<AcrTagInfo> {
    const row = await this.rows.tag(repository, tag);
    if (row !== undefined) return tagInfo(row);
    await this.repository(repository);
    throw new RegistryError('MANIFEST_UNKNOWN', 'tag not known to registry', {
      name: repository,
      tag,
    });
  }

  async manifests(listing: AcrListing): Promise<{ manifests: AcrManifestInfo[]; more: boolean }> {
    const rows = await this.rows.manifests(listing.repository, {
      orderby: listing.orderby,
      last: listing.last,
      limit: rowsToRead(listing.n),
    });
    if (rows.length === 0) await this.repository(listing.repository);
    const page = pageRows(rows, listing.n);
    return { manifests: page.items.map(manifestInfo), more: page.more };
  }

  async manifest(repository: string, digest: string): Promise<AcrManifestInfo> {
    const row = await this.rows.manifest(repository, digest);
    if (row !== undefined) return manifestInfo(row);
    await this.repository(repository);
    throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', {
      name: repository,
      digest,
    });
  }
}

function nameUnknown(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
    name: repository,
  });
}

function tagInfo(row: TagRow): AcrTagInfo {
  return {
    name: row.name,
    digest: row.digest,
    createdTime: row.createdAt.toISOString(),
    lastUpdateTime: row.updatedAt.toISOString(),
    signed: row.signed,
    changeableAttributes: row.changeableAttributes,
  };
}

function manifestInfo(row: ManifestRow): AcrManifestInfo {
  return {
    digest: row.digest,
    imageSize: Number(row.imageSize),
    createdTime: row.createdAt.toISOString(),
    lastUpdateTime: row.lastUpdateAt.toISOString(),
    mediaType: row.mediaType,
    ...(row.indexBody === null ? {} : { references: indexChildren(row.indexBody) }),
    ...(row.config === null
      ? {}
      : {
          config: {
            digest: row.config.digest,
            mediaType: row.config.mediaType,
            size: row.config.size,
          },
        }),
    tags: row.tags,
    ...(row.quarantine === null ? {} : { quarantineState: quarantineStates[row.quarantine] }),
    changeableAttributes: row.changeableAttributes,
  };
}

/** An index's children with the platforms it names for them (validated when it was pushed). */
function indexChildren(body: Buffer): NonNullable<AcrManifestInfo['references']> {
  const index = JSON.parse(body.toString('utf8')) as {
    manifests?: { digest: string; platform?: { architecture?: string; os?: string } }[];
  };
  return (index.manifests ?? []).map((child) => ({
    digest: child.digest,
    ...(child.platform?.architecture === undefined
      ? {}
      : { architecture: child.platform.architecture }),
    ...(child.platform?.os === undefined ? {} : { os: child.platform.os }),
  }));
}
