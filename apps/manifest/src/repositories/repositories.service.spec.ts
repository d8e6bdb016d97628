import {
  type ChangeableAttributes,
  type EventDefinition,
  HybridLogicalClock,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { createLogger } from '@meridian/telemetry';
import type { z } from 'zod';
import { type ItemAttributes, unlocked } from '../locks/lock-rules';
import type { RepositoriesRepository, RepositoriesTransaction } from './repositories.repository';
import { RepositoriesService } from './repositories.service';

/** Repositories with their manifest counts; a transaction's events count only if it commits. */
class InMemoryRepositoriesRepository implements RepositoriesRepository {
  readonly events: { name: string; payload: unknown }[] = [];
  /** repository → clock reading of its delete */
  readonly tombstones = new Map<string, string>();
  /** repositories each transaction locked, in order */
  readonly locked: string[] = [];
  /** repository → newest clock reading among its rows (written by any region) */
  readonly newestWrites = new Map<string, string>();

  /** repository → its attributes */
  readonly locks = new Map<string, ChangeableAttributes>();
  /** repository → its locked tags and manifests */
  readonly lockedItems = new Map<string, ItemAttributes[]>();

  constructor(readonly manifestCounts: Map<string, number>) {}

  async list(last: string | undefined, limit: number): Promise<string[]> {
    return [...this.manifestCounts.keys()]
      .sort()
      .filter((name) => last === undefined || name > last)
      .slice(0, limit);
  }

  async transaction<T>(work: (tx: RepositoriesTransaction) => Promise<T>): Promise<T> {
    const events: { name: string; payload: unknown }[] = [];
    const deleted: string[] = [];
    const tombstones = new Map<string, string>();
    const result = await work({
      lockRepository: async (repository) => {
        this.locked.push(repository);
      },
      newestWrite: async (repository) => this.newestWrites.get(repository),
      locks: async (repository) => ({
        repository: this.locks.get(repository) ?? unlocked,
        items: this.lockedItems.get(repository) ?? [],
      }),
      forgetLocks: async () => undefined,
      recordDelete: async (repository, hlc) => {
        tombstones.set(repository, hlc);
      },
      keepRestorable: async () => undefined,
      delete: async (repository) => {
        const count = this.manifestCounts.get(repository);
        if (count !== undefined) deleted.push(repository);
        return count;
      },
      emit: async <S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>) => {
        events.push({ name: def.name, payload: def.schema.parse(payload) });
      },
    });
    for (const repository of deleted) this.manifestCounts.delete(repository);
    for (const [repository, hlc] of tombstones) this.tombstones.set(repository, hlc);
    this.events.push(...events);
    return result;
  }
}

describe(RepositoriesService.name, () => {
  const context = { request: { id: 'req-7' }, actor: { name: 'admin' } };
  let repositories: InMemoryRepositoriesRepository;
  let sut: RepositoriesService;

  beforeEach(() => {
    repositories = new InMemoryRepositoriesRepository(
      new Map([
        ['team/app', 3],
        ['team/api', 1],
        ['base', 0],
      ]),
    );
    sut = new RepositoriesService(
      repositories,
      new Outbox('manifest', new HybridLogicalClock('us-east')),
      createLogger({ service: 'manifest', region: 'us-east', level: 'silent' }),
    );
  });

  it('pages the catalog with n and last', async () => {
    await expect(sut.catalog({})).resolves.toEqual({
      repositories: ['base', 'team/api', 'team/app'],
      more: false,
    });
    await expect(sut.catalog({ n: 1, last: 'base' })).resolves.toEqual({
      repositories: ['team/api'],
      more: true,
    });
  });

  it('deletes a repository, answers how many manifests went and announces it', async () => {
    await expect(sut.delete('team/app', context)).resolves.toEqual({ deletedManifests: 3 });

    expect(repositories.manifestCounts.has('team/app')).toBe(false);
    expect(repositories.events).toEqual([
      {
        name: 'repository.deleted.v1',
        payload: expect.objectContaining({
          repository: 'team/app',
          actor: context.actor,
          request: context.request,
        }),
      },
    ]);
  });

  it('leaves a tombstone stamped like its event, under the repository lock', async () => {
    await sut.delete('team/api', context);

    const [deleted] = repositories.events as { payload: { hlc: string } }[];
    expect(repositories.tombstones.get('team/api')).toBe(deleted!.payload.hlc);
    expect(repositories.locked).toEqual(['team/api']);
  });

  it('stamps the delete after the newest write it removes, even one its clock never saw', async () => {
    const ahead = '009000000000000.000004.eu-west';
    repositories.newestWrites.set('team/api', ahead);

    await sut.delete('team/api', context);

    const [deleted] = repositories.events as { payload: { hlc: string } }[];
    expect(deleted!.payload.hlc > ahead).toBe(true);
  });

  it('answers NAME_UNKNOWN for a repository that does not exist and announces nothing', async () => {
    await expect(sut.delete('no/such', context)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    expect(repositories.events).toEqual([]);
    expect(repositories.tombstones.size).toBe(0);
  });
});
