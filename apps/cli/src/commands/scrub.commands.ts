/**
 * `meridian scrub` (`POST /api/v1/scrub`) and `meridian scrub show <id>` (`GET
 * /api/v1/scrub/{id}`). `--wait` asks again every `--interval` until the job is done, showing
 * its progress on stderr, then prints the blobs found wrong (a table on a terminal, JSON when
 * piped); a job that failed, or found a blob it could not repair, ends with exit 1, one still
 * running at `--timeout` with exit 4. The flags are checked here before anything is sent; the
 * registry checks the request again.
 */
import type { ScrubJob, ScrubRequest } from '@meridian/contracts';
import { isRepositoryName } from '@meridian/oci';
import { CliError, usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { parseDuration } from '../parse-duration';
import { describeScrub, scrubProgressDisplay } from './scrub-progress';
import { followJob } from './follow-job';

export interface ScrubFlags {
  repository?: string;
  /** false with `--no-repair` */
  repair?: boolean;
  wait?: boolean;
  timeout?: string;
  interval?: string;
}

export function buildScrubRequest(flags: ScrubFlags): ScrubRequest {
  if (flags.repository !== undefined && !isRepositoryName(flags.repository)) {
    throw usageError(`--repository "${flags.repository}": not a repository name`);
  }
  return {
    ...(flags.repository === undefined ? {} : { repository: flags.repository }),
    repair: flags.repair ?? true,
  };
}

export async function start(globals: GlobalOptions, flags: ScrubFlags): Promise<void> {
  const request = buildScrubRequest(flags);
  const timeoutMs = parseDuration(flags.timeout ?? '2h');
  const intervalMs = parseDuration(flags.interval ?? '1s');
  const client = await connect(globals);
  const { body: started } = await client.request<ScrubJob>('/api/v1/scrub', {
    method: 'POST',
    body: request,
  });
  if (!flags.wait) {
    print(started, globals);
    return;
  }
  process.stderr.write(`scrub ${started.id} ${started.state}\n`);
  const display = await scrubProgressDisplay(process.stderr);
  try {
    const job = await followJob<ScrubJob>({
      client,
      path: `/api/v1/scrub/${started.id}`,
      intervalMs,
      timeoutMs,
      finished: (job) => job.state === 'succeeded' || job.state === 'failed',
      onUpdate: (job) => display.update(job),
      stillRunning: (job, waited) =>
        `scrub ${job.id} still ${job.state} after ${waited}: ${describeScrub(job)}`,
    });
    display.stop();
    printJob(job, globals);
  } finally {
    display.stop();
  }
}

export async function show(globals: GlobalOptions, id: string): Promise<void> {
  const client = await connect(globals);
  const { body: job } = await client.request<ScrubJob>(`/api/v1/scrub/${encodeURIComponent(id)}`);
  printJob(job, globals);
}

const itemTable = {
  columns: [
    { header: 'Digest', path: 'digest' },
    { header: 'Size', path: 'size' },
    { header: 'Problem', path: 'problem' },
    { header: 'Action', path: 'action' },
    { header: 'Region', path: 'region' },
    { header: 'Detail', path: 'detail' },
  ],
  rows: (result: unknown) => (result as ScrubJob).items,
};

/**
 * The job (its items as a table on a terminal); a failed job, or one that left a blob
 * unrepaired, ends with exit 1.
 */
function printJob(job: ScrubJob, globals: GlobalOptions): void {
  print(job, globals, itemTable);
  process.stderr.write(`scrub ${job.id} ${job.state}: ${describeScrub(job)}\n`);
  if (job.state === 'failed') {
    throw new CliError('SCRUB_FAILED', `scrub ${job.id} failed: ${job.error ?? 'no reason given'}`);
  }
  if (job.state === 'succeeded' && job.counts.unrepairable > 0) {
    throw new CliError(
      'SCRUB_UNREPAIRED',
      `scrub ${job.id} found ${job.counts.unrepairable} blob(s) no peer region could repair`,
    );
  }
}
