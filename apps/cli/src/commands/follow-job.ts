/**
 * How `--wait` follows a job the registry runs (garbage collection, purge, scrub, import):
 * ask for it again every `intervalMs` until `finished`, showing each answer through
 * `onUpdate` (a progress display), and give up with a TIMEOUT error (exit status 4, the
 * job left running on the server) once `timeoutMs` has passed.
 */
import { CliError, exitStatus } from '../cli-error';
import type { RegistryClient } from '../http/registry-client';
import { formatDuration } from '../parse-duration';

export interface FollowJobOptions<Job> {
  client: RegistryClient;
  /** the job's own path, `/api/v1/gc/<id>` */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  finished(job: Job): boolean;
  onUpdate?(job: Job): void;
  /** what the TIMEOUT error says of the job still running, given how long was waited */
  stillRunning(job: Job, waited: string): string;
}

export async function followJob<Job>(options: FollowJobOptions<Job>): Promise<Job> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const { body: job } = await options.client.request<Job>(options.path);
    options.onUpdate?.(job);
    if (options.finished(job)) return job;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new CliError(
        'TIMEOUT',
        options.stillRunning(job, formatDuration(options.timeoutMs)),
        exitStatus.timeout,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs, left)));
  }
}
