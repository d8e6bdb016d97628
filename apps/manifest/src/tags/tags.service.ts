import { Injectable } from '@nestjs/common';
import { RegistryError } from '@meridian/contracts';
import { pageRows, rowsToRead } from '../paging/page-rows';
import { TagsRepository } from './tags.repository';

export interface ListTags {
  repository: string;
  n?: number;
  last?: string;
}

export interface TagList {
  name: string;
  tags: string[];
  more: boolean;
}

@Injectable()
export class TagsService {
  constructor(private readonly tags: TagsRepository) {}

  /**
   * Tags in byte order, strictly after `last`. A repository whose manifests were all deleted
   * still exists and lists no tags; one that never existed (or was deleted) is NAME_UNKNOWN.
   */
  async list({ repository, n, last }: ListTags): Promise<TagList> {
    const rows = await this.tags.list(repository, last, rowsToRead(n));
    if (rows === undefined) {
      throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
        name: repository,
      });
    }
    const page = pageRows(rows, n);
    return { name: repository, tags: page.items, more: page.more };
  }
}
