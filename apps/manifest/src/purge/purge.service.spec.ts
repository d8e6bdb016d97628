import { type PurgeItem, type PurgeRequest, RegistryError } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { unlocked } from '../locks/lock-rules';
import type { DeleteCondition, ManifestsService } from '../manifests/manifests.service';
import type { RepositorySnapshot } from './purge-plan';
import {
  type PurgeProgress,
  PurgeRepository,
  type StoredPurgeJob,
  emptyProgress,
} from './purge.repository';
import { PurgeService } from './purge.service';

const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const old = new Date(Date.now() - 40 * 86_400_000);

/** Jobs and repository snapshots in memory. */
class InMemoryPurgeRepository extends PurgeRepository {
  readonly jobs = new Map<string, StoredPurgeJob>();
  readonly snapshots = new Map<string, RepositorySnapshot>();
  failSnapshots = false;

  async create(id: string, request: PurgeRequest, context: RpcContext): Promise<void> {
    this.jobs.set(id, {
      id,
      request,
      context,
      status: 'running',
      createdTime: new Date().toISOString(),
      progress: { ...emptyProgress },
      items: [],
      doneRepositories: [],
    });
  }
  async get(id: string) {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }
  async claimOrphans(): Promise<string[]> {
    return [];
  }
  async renew(): Promise<void> {}
  async release(): Promise<void> {}
  async recordRepository(id: string, repository: string, items: PurgeItem[], p: PurgeProgress) {
    const job = this.jobs.get(id)!;
    job.items.push(...items);
    job.progress = p;
    job.doneRepositories.push(repository);
  }
  async setMatched(id: string, repositoriesMatched: number) {
    this.jobs.get(id)!.progress.repositoriesMatched = repositoriesMatched;
  }
  async finish(id: string, status: 'succeeded' | 'failed', error?: string) {
    const job = this.jobs.get(id)!;
    job.status = status;
    if (error !== undefined) job.error = error;
  }
  async repositories(): Promise<string[]> {
    return [...this.snapshots.keys()].sort();
  }
  async snapshot(repository: string) {
    if (this.failSnapshots) throw new Error('connection to the database lost');
    return this.snapshots.get(repository);
  }
}

/** The deletes a purge asks for, answered as the test says. */
class RecordingDeletes {
  readonly asked: Array<{ reference: string; condition: DeleteCondition }> = [];
  readonly answers = new Map<string, 'changed' | RegistryError>();

  async delete(
    request: { repository: string; reference: string },
    _context: RpcContext,
    condition: DeleteCondition = {},
  ): Promise<'deleted' | 'changed'> {
    this.asked.push({ reference: request.reference, condition });
    const answer = this.answers.get(request.reference);
    if (answer instanceof RegistryError) throw answer;
    return answer ?? 'deleted';
  }
}

function snapshot(repository: string, tags: string[]): RepositorySnapshot {
  return {
    repository,
    attributes: unlocked,
    tags: tags.map((name, i) => ({
      name,
      digest: digest(i + 1),
      updatedAt: old,
      attributes: unlocked,
    })),
    manifests: tags.map((_, i) => ({
      digest: digest(i + 1),
      createdAt: old,
      children: [],
      attributes: unlocked,
    })),
  };
}

describe(PurgeService.name, () => {
  let jobs: InMemoryPurgeRepository;
  let deletes: RecordingDeletes;
  let sut: PurgeService;
  const request: PurgeRequest = {
    filters: [{ repository: 'team/.*', tag: '.*' }],
    ago: '30d',
    untagged: false,
    keep: 0,
    dryRun: false,
  };

  beforeEach(() => {
    jobs = new InMemoryPurgeRepository();
    deletes = new RecordingDeletes();
    sut = new PurgeService(jobs, deletes as unknown as ManifestsService, logger);
  });

  async function run(overrides: Partial<PurgeRequest> = {}) {
    const { id } = await sut.start({ ...request, ...overrides }, { actor: { name: 'owner' } });
    await sut.whenIdle(id);
    return sut.get(id);
  }

  it('deletes each planned tag on condition it still points where it did', async () => {
    jobs.snapshots.set('team/app', snapshot('team/app', ['v1', 'v2']));
    jobs.snapshots.set('other/app', snapshot('other/app', ['v1']));

    const job = await run();

    expect(job.status).toBe('succeeded');
    expect(deletes.asked).toEqual([
      { reference: 'v1', condition: { digest: digest(1) } },
      { reference: 'v2', condition: { digest: digest(2) } },
    ]);
    expect(job.progress).toEqual({
      ...emptyProgress,
      repositoriesMatched: 1,
      repositoriesDone: 1,
      tagsDeleted: 2,
    });
  });

  it('reports what changed or was locked after the plan as skipped', async () => {
    jobs.snapshots.set('team/app', snapshot('team/app', ['moved', 'locked', 'gone']));
    deletes.answers.set('moved', 'changed');
    deletes.answers.set('locked', new RegistryError('DENIED', 'the tag is locked'));
    deletes.answers.set('gone', new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown'));

    const job = await run();

    expect(job.items.map((item) => [item.tag, item.action, item.reason])).toEqual([
      ['gone', 'skipped', 'deleted already, after the plan'],
      ['locked', 'skipped', 'locked: the tag is locked'],
      ['moved', 'skipped', 'the tag was moved to another manifest after the plan'],
    ]);
    expect(job.progress.skipped).toBe(3);
  });

  it('deletes nothing in a dry run, and reports the same items', async () => {
    jobs.snapshots.set('team/app', snapshot('team/app', ['v1']));

    const dry = await run({ dryRun: true });
    expect(deletes.asked).toEqual([]);
    const real = await run();

    expect(dry.items.map(({ reason: _r, ...item }) => item)).toEqual(
      real.items.map(({ reason: _r, ...item }) => item),
    );
  });

  it('resumes a job after the repositories it finished', async () => {
    jobs.snapshots.set('team/a', snapshot('team/a', ['v1']));
    jobs.snapshots.set('team/b', snapshot('team/b', ['v1']));
    const { id } = await sut.start(request, {});
    await sut.whenIdle(id);
    const job = jobs.jobs.get(id)!;
    // as if the service had stopped after team/a: the job is running again
    job.status = 'running';
    job.doneRepositories = ['team/a'];
    job.items = job.items.filter((item) => item.repository === 'team/a');
    job.progress = { ...job.progress, repositoriesDone: 1, tagsDeleted: 1 };
    deletes.asked.length = 0;
    jest.spyOn(jobs, 'claimOrphans').mockResolvedValueOnce([id]);

    sut.onApplicationBootstrap();
    await new Promise((resolve) => setImmediate(resolve));
    await sut.whenIdle(id);
    await sut.beforeApplicationShutdown();

    expect(deletes.asked.map((asked) => asked.reference)).toEqual(['v1']);
    expect((await sut.get(id)).items.map((item) => item.repository)).toEqual(['team/a', 'team/b']);
    expect((await sut.get(id)).progress).toMatchObject({ repositoriesDone: 2, tagsDeleted: 2 });
  });

  it('marks a job failed with the reason when it cannot go on', async () => {
    jobs.snapshots.set('team/app', snapshot('team/app', ['v1']));
    jobs.failSnapshots = true;

    const job = await run();

    expect(job).toMatchObject({ status: 'failed', error: 'connection to the database lost' });
  });

  it('answers RESOURCE_UNKNOWN for an unknown job', async () => {
    await expect(sut.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'RESOURCE_UNKNOWN',
    });
  });
});
