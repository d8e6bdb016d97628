/**
 * `meridian gc` (`POST /api/v1/gc`) and `meridian gc show <id>` (`GET /api/v1/gc/{id}`), for
 * the region the CLI talks to. `--wait` asks again every `--interval` until the collection
 * is done; a failed one ends with exit 1, one still running at `--timeout` with exit 4.
 * When a collection was running already, that one is followed (and said so).
 */
import type { GcJob } from '@meridian/contracts';
import { CliError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { parseDuration } from '../parse-duration';
import { followJob } from './follow-job';

export interface GcFlags {
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
  interval?: string;
}

export async function start(globals: GlobalOptions, flags: GcFlags): Promise<void> {
  const timeoutMs = parseDuration(flags.timeout ?? '2h');
  const intervalMs = parseDuration(flags.interval ?? '2s');
  const client = await connect(globals);
  const { body: started } = await client.request<GcJob & { started: boolean }>('/api/v1/gc', {
    method: 'POST',
    body: { dryRun: flags.dryRun ?? false },
  });
  if (!started.started) {
    process.stderr.write(`garbage collection ${started.id} was running already: following it\n`);
  }
  if (!flags.wait) {
    print(started, globals);
    return;
  }
  process.stderr.write(`garbage collection ${started.id} ${describeStart(started)}\n`);
  const job = await followJob<GcJob>({
    client,
    path: `/api/v1/gc/${started.id}`,
    intervalMs,
    timeoutMs,
    finished: (job) => job.status !== 'running',
    stillRunning: (job, waited) =>
      `garbage collection ${job.id} still running after ${waited}: ${describe(job)}`,
  });
  printJob(job, globals);
}

export async function show(globals: GlobalOptions, id: string): Promise<void> {
  const client = await connect(globals);
  const { body: job } = await client.request<GcJob>(`/api/v1/gc/${encodeURIComponent(id)}`);
  printJob(job, globals);
}

function describeStart(job: GcJob): string {
  return job.dryRun ? 'running (dry run: nothing is freed)' : 'running';
}

/** The job; a failed one ends with exit 1. */
function printJob(job: GcJob, globals: GlobalOptions): void {
  print(job, globals);
  process.stderr.write(
    `garbage collection ${job.id} ${job.status}${job.dryRun ? ' (dry run)' : ''}: ${describe(job)}\n`,
  );
  if (job.status === 'failed') {
    throw new CliError(
      'GC_FAILED',
      `garbage collection ${job.id} failed: ${job.error ?? 'no reason given'}`,
    );
  }
}

/** The counts in words. */
export function describe(job: GcJob): string {
  const p = job.progress;
  const verb = job.dryRun ? 'would free' : 'freed';
  return `examined ${p.blobsExamined} blobs, ${verb} ${p.blobsFreed} (${formatBytes(p.bytesFreed)}), removed ${p.linksRemoved} unreferenced links, ${p.inGracePeriod} in their grace period, ${p.blobsBusy} busy`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
