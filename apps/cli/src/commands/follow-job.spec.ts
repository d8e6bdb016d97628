import { CliError, exitStatus } from '../cli-error';
import type { RegistryClient } from '../http/registry-client';
import { followJob } from './follow-job';

interface Job {
  id: string;
  state: 'running' | 'succeeded';
}

/** A registry that answers the job's path with `answers` in turn, the last one from then on. */
function registryAnswering(answers: Job[]) {
  const asked: string[] = [];
  const client = {
    request: async (path: string) => {
      asked.push(path);
      return { body: answers[Math.min(asked.length, answers.length) - 1] };
    },
  } as unknown as RegistryClient;
  return { client, asked };
}

describe('followJob', () => {
  it('asks until the job is finished, showing every answer, and returns the last', async () => {
    const { client, asked } = registryAnswering([
      { id: 'j1', state: 'running' },
      { id: 'j1', state: 'running' },
      { id: 'j1', state: 'succeeded' },
    ]);
    const shown: string[] = [];
    const job = await followJob<Job>({
      client,
      path: '/api/v1/gc/j1',
      intervalMs: 1,
      timeoutMs: 10_000,
      finished: (job) => job.state === 'succeeded',
      onUpdate: (job) => shown.push(job.state),
      stillRunning: () => 'unexpected',
    });
    expect(job).toEqual({ id: 'j1', state: 'succeeded' });
    expect(asked).toEqual(['/api/v1/gc/j1', '/api/v1/gc/j1', '/api/v1/gc/j1']);
    expect(shown).toEqual(['running', 'running', 'succeeded']);
  });

  it('gives up with TIMEOUT (exit status 4) saying what is still running', async () => {
    const { client } = registryAnswering([{ id: 'j2', state: 'running' }]);
    const following = followJob<Job>({
      client,
      path: '/api/v1/purge/j2',
      intervalMs: 5,
      timeoutMs: 30,
      finished: (job) => job.state === 'succeeded',
      stillRunning: (job, waited) => `${job.id} still running after ${waited}`,
    });
    await expect(following).rejects.toThrow(CliError);
    await expect(following).rejects.toMatchObject({
      code: 'TIMEOUT',
      exitCode: exitStatus.timeout,
      message: expect.stringMatching(/^j2 still running after /),
    });
  });
});
