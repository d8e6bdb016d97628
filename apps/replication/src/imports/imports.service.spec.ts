import {
  type Credentials,
  type CredentialSetView,
  type ImportFailureReason,
  type ImportRequest,
  ImportRequest as ImportRequestSchema,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { CredentialSetsRepository, type StoredCredentialSet } from './credential-sets.repository';
import { CredentialSetsService, CredentialsBox } from './credential-sets.service';
import { ImportFailure } from '@meridian/outbound';
import type { ImportProgress, ImportTransfer, TransferInput } from './import-transfer';
import { ImportsRepository, type StoredImportJob, emptyImportProgress } from './imports.repository';
import { type ImportSettings, ImportsService } from './imports.service';

/** Jobs in memory, with the SQL repository's claim rules (due, not leased). */
class InMemoryImports extends ImportsRepository {
  readonly jobs = new Map<string, StoredImportJob & { dueAt: number; leased: boolean }>();
  readonly delays: number[] = [];

  create(
    id: string,
    request: ImportRequest,
    credentials: string | undefined,
    context: RpcContext,
    delayMs = 0,
  ) {
    this.jobs.set(id, {
      id,
      state: 'queued',
      source: request.source,
      targets: [request.target].flat(),
      force: request.force,
      allPlatforms: request.allPlatforms,
      ...(request.credentialSet ? { credentialSet: request.credentialSet } : {}),
      progress: emptyImportProgress,
      attempts: 0,
      createdTime: new Date().toISOString(),
      request,
      ...(credentials ? { credentials } : {}),
      context,
      dueAt: Date.now() + delayMs,
      leased: false,
    });
    return Promise.resolve();
  }
  get(id: string) {
    return Promise.resolve(this.jobs.get(id));
  }
  claims = 0;
  claim(limit: number) {
    this.claims += 1;
    const due = [...this.jobs.values()]
      .filter(
        (job) =>
          ['queued', 'running'].includes(job.state) && !job.leased && job.dueAt <= Date.now(),
      )
      .slice(0, limit);
    for (const job of due)
      Object.assign(job, { state: 'running', leased: true, attempts: job.attempts + 1 });
    return Promise.resolve(due.map((job) => job.id));
  }
  dueInMs() {
    const due = [...this.jobs.values()]
      .filter((job) => ['queued', 'running'].includes(job.state) && !job.leased)
      .map((job) => job.dueAt - Date.now());
    return Promise.resolve(due.length === 0 ? undefined : Math.min(...due));
  }
  renew() {
    return Promise.resolve();
  }
  recordProgress(id: string, progress: ImportProgress) {
    this.jobs.get(id)!.progress = progress;
    return Promise.resolve();
  }
  retryLater(id: string, delayMs: number, reason: ImportFailureReason, message: string) {
    this.delays.push(delayMs);
    Object.assign(this.jobs.get(id)!, {
      state: 'queued',
      leased: false,
      dueAt: Date.now() + delayMs,
      error: { reason, message },
    });
    return Promise.resolve();
  }
  succeed(id: string, digest: string) {
    const job = this.jobs.get(id)!;
    const { credentials: _dropped, error: _cleared, ...rest } = job;
    this.jobs.set(id, { ...rest, state: 'succeeded', digest, leased: false });
    return Promise.resolve();
  }
  fail(id: string, reason: ImportFailureReason, message: string) {
    const { credentials: _dropped, ...rest } = this.jobs.get(id)!;
    this.jobs.set(id, { ...rest, state: 'failed', error: { reason, message }, leased: false });
    return Promise.resolve();
  }
  release(id: string) {
    this.jobs.get(id)!.leased = false;
    return Promise.resolve();
  }
}

class InMemorySets extends CredentialSetsRepository {
  readonly sets = new Map<string, StoredCredentialSet>();
  put(name: string, kind: CredentialSetView['kind'], username: string | undefined, secret: string) {
    const created = !this.sets.has(name);
    const now = new Date().toISOString();
    this.sets.set(name, {
      name,
      kind,
      ...(username ? { username } : {}),
      secret,
      createdTime: now,
      updatedTime: now,
    });
    return Promise.resolve(created);
  }
  get(name: string) {
    return Promise.resolve(this.sets.get(name));
  }
  list() {
    return Promise.resolve([...this.sets.values()]);
  }
  delete(name: string) {
    return Promise.resolve(this.sets.delete(name));
  }
}

/** A transfer that answers what the test scripted, one answer per try, and records its inputs. */
class ScriptedTransfer {
  readonly inputs: TransferInput[] = [];
  constructor(private readonly answers: Array<ImportFailure | string>) {}
  run(input: TransferInput, onProgress: (progress: ImportProgress) => void): Promise<string> {
    this.inputs.push(input);
    onProgress({ bytesDone: 10, bytesTotal: 10, blobsDone: 1, blobsTotal: 1, blobsMounted: 0 });
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error('no scripted answer left');
    return answer instanceof ImportFailure ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

const settings: ImportSettings = {
  attempts: 3,
  retryDelayMs: 10,
  concurrency: 2,
  // longer than any test: every look after the first is set by a job's due time
  pollMs: 60_000,
  leaseMs: 30_000,
};
const digest = `sha256:${'b'.repeat(64)}`;
const credentials: Credentials = { username: 'me', password: 'upstream-secret' };

function setUp(answers: Array<ImportFailure | string>) {
  const jobs = new InMemoryImports();
  const sets = new InMemorySets();
  const box = new CredentialsBox(
    'a credentials key of enough length',
    'MERIDIAN_CREDENTIALS_SECRET_KEY',
  );
  const logger = createLogger({ service: 'replication', region: 'us-east', level: 'silent' });
  const credentialSets = new CredentialSetsService(sets, box, logger);
  const transfer = new ScriptedTransfer(answers);
  const sut = new ImportsService(
    jobs,
    credentialSets,
    box,
    transfer as unknown as ImportTransfer,
    settings,
    logger,
  );
  return { sut, jobs, sets, credentialSets, transfer };
}

function request(overrides: Record<string, unknown> = {}): ImportRequest {
  return ImportRequestSchema.parse({
    source: 'registry.example.com/app:1',
    target: 'app:1',
    ...overrides,
  });
}

async function settled(sut: ImportsService, id: string) {
  for (let i = 0; i < 200; i++) {
    const job = await sut.get(id);
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error('the job never settled');
}

describe(ImportsService.name, () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  function start(sut: ImportsService) {
    sut.onApplicationBootstrap();
    stop = () => sut.beforeApplicationShutdown();
  }

  it('retries a failure that may pass with doubling delays, then succeeds', async () => {
    const { sut, jobs } = setUp([
      new ImportFailure('UPSTREAM_TIMEOUT', 'sent nothing', true),
      new ImportFailure('UPSTREAM_RATE_LIMITED', '429', true),
      digest,
    ]);
    start(sut);
    const { id } = await sut.start(request(), {});
    const job = await settled(sut, id);
    expect(job).toMatchObject({ state: 'succeeded', digest, attempts: 3 });
    expect(job.error).toBeUndefined();
    expect(jobs.delays).toEqual([10, 20]);
  });

  it('starts a delayed job when it is due, and does not look while nothing is pending', async () => {
    const { sut, jobs } = setUp([digest]);
    start(sut);
    await new Promise((done) => setTimeout(done, 50));
    expect(jobs.claims).toBe(1);

    const { id } = await sut.start(request(), {}, 30);
    expect((await sut.get(id)).state).toBe('queued');
    expect(await settled(sut, id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    await new Promise((done) => setTimeout(done, 50));
    const looks = jobs.claims;
    await new Promise((done) => setTimeout(done, 100));
    expect(jobs.claims).toBe(looks);
  });

  it('fails with the last reason after the last try, and at once on one that will not pass', async () => {
    const retried = setUp([
      new ImportFailure('UPSTREAM_UNAVAILABLE', 'refused', true),
      new ImportFailure('UPSTREAM_UNAVAILABLE', 'refused', true),
      new ImportFailure('UPSTREAM_TIMEOUT', 'sent nothing for 30 s', true),
    ]);
    start(retried.sut);
    const { id } = await retried.sut.start(request(), {});
    expect(await settled(retried.sut, id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      error: { reason: 'UPSTREAM_TIMEOUT', message: 'sent nothing for 30 s' },
    });
    await stop?.();

    const final = setUp([
      new ImportFailure('UPSTREAM_NOT_FOUND', 'manifest app:1 not found upstream'),
    ]);
    start(final.sut);
    const second = await final.sut.start(request(), {});
    expect(await settled(final.sut, second.id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { reason: 'UPSTREAM_NOT_FOUND' },
    });
  });

  it('keeps inline credentials sealed in the job, hands them to the transfer, and drops them at the end', async () => {
    const { sut, jobs, transfer } = setUp([digest]);
    const { id } = await sut.start(request({ credentials }), { actor: { name: 'ci' } });
    const stored = jobs.jobs.get(id)!;
    expect(stored.credentials).toMatch(/^aes-256-gcm:/);
    expect(JSON.stringify(stored)).not.toContain('upstream-secret');
    expect(JSON.stringify(await sut.get(id))).not.toContain('aes-256-gcm');
    start(sut);
    await settled(sut, id);
    expect(transfer.inputs[0]).toMatchObject({ credentials, context: { actor: { name: 'ci' } } });
    expect(jobs.jobs.get(id)!.credentials).toBeUndefined();
  });

  it('logs in with a credential set, refuses an unknown one at start, and fails a job whose set was deleted', async () => {
    const { sut, credentialSets, transfer } = setUp([digest]);
    await credentialSets.put('hub', credentials);
    await expect(sut.start(request({ credentialSet: 'nobody' }), {})).rejects.toMatchObject({
      code: 'RESOURCE_UNKNOWN',
    });
    const { id } = await sut.start(request({ credentialSet: 'hub' }), {});
    start(sut);
    expect(await settled(sut, id)).toMatchObject({ state: 'succeeded', credentialSet: 'hub' });
    expect(transfer.inputs[0]?.credentials).toEqual(credentials);

    await stop?.();

    const deleted = setUp([digest]);
    await deleted.credentialSets.put('hub', credentials);
    const queued = await deleted.sut.start(request({ credentialSet: 'hub' }), {});
    await deleted.credentialSets.delete('hub');
    start(deleted.sut);
    expect(await settled(deleted.sut, queued.id)).toMatchObject({
      state: 'failed',
      error: { reason: 'CREDENTIAL_SET_UNKNOWN' },
    });
    expect(deleted.transfer.inputs).toEqual([]);
  });

  it('fails a job its replicas stopped during more often than it may be tried', async () => {
    const { sut, jobs, transfer } = setUp([digest]);
    const { id } = await sut.start(request(), {});
    // three replicas claimed it and died: the next claim is a fourth try
    jobs.jobs.get(id)!.attempts = settings.attempts;
    start(sut);
    expect(await settled(sut, id)).toMatchObject({
      state: 'failed',
      error: { reason: 'INTERNAL', message: 'the service stopped during each of 3 tries' },
    });
    expect(transfer.inputs).toEqual([]);
  });
});
