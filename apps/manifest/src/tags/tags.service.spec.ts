import type { TagsRepository } from './tags.repository';
import { TagsService } from './tags.service';

/** Tags per repository, listed in byte order as Postgres does with collate "C". */
class InMemoryTagsRepository implements TagsRepository {
  constructor(private readonly tags: Record<string, string[]>) {}

  async list(repository: string, last: string | undefined, limit: number) {
    const tags = this.tags[repository];
    if (!tags) return undefined;
    return [...tags]
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .filter(
        (tag) => last === undefined || Buffer.compare(Buffer.from(tag), Buffer.from(last)) > 0,
      )
      .slice(0, limit);
  }
}

describe(TagsService.name, () => {
  const sut = new TagsService(
    new InMemoryTagsRepository({
      'team/app': ['v2', 'V1', 'latest', 'v10', 'A'],
      'team/empty': [],
    }),
  );

  it('lists every tag in byte order when n is absent', async () => {
    await expect(sut.list({ repository: 'team/app' })).resolves.toEqual({
      name: 'team/app',
      tags: ['A', 'V1', 'latest', 'v10', 'v2'],
      more: false,
    });
  });

  it('pages with n and last, saying whether more follow', async () => {
    await expect(sut.list({ repository: 'team/app', n: 2 })).resolves.toMatchObject({
      tags: ['A', 'V1'],
      more: true,
    });
    await expect(sut.list({ repository: 'team/app', n: 2, last: 'V1' })).resolves.toMatchObject({
      tags: ['latest', 'v10'],
      more: true,
    });
    await expect(sut.list({ repository: 'team/app', n: 2, last: 'v10' })).resolves.toMatchObject({
      tags: ['v2'],
      more: false,
    });
    await expect(sut.list({ repository: 'team/app', last: 'v2' })).resolves.toMatchObject({
      tags: [],
      more: false,
    });
  });

  it('lists no tags for a repository that exists without any', async () => {
    await expect(sut.list({ repository: 'team/empty' })).resolves.toEqual({
      name: 'team/empty',
      tags: [],
      more: false,
    });
  });

  it('answers NAME_UNKNOWN for a repository that does not exist', async () => {
    await expect(sut.list({ repository: 'no/such' })).rejects.toMatchObject({
      code: 'NAME_UNKNOWN',
    });
  });
});
