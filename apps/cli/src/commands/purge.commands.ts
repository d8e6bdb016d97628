/**
 * `meridian purge` (`POST /api/v1/purge`) and `meridian purge show <id>` (`GET
 * /api/v1/purge/{id}`). `--wait` asks again every `--interval` until the job is done and
 * prints its items (a table on a terminal, JSON when piped); a job that failed ends with
 * exit 1, one still running at `--timeout` with exit 4. The flags are checked here before
 * anything is sent; the registry checks the request again.
 */
import { PurgeAgo, type PurgeJob, type PurgeRequest } from '@meridian/contracts';
import { CliError, usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { parseDuration } from '../parse-duration';
import { followJob } from './follow-job';

export interface PurgeFlags {
  filter?: string[];
  ago?: string;
  untagged?: boolean;
  keep?: number;
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
  interval?: string;
}

/**
 * `repo-regex:tag-regex` split at the first `:` outside parentheses and brackets, so a
 * pattern may hold `(?:…)`.
 */
export function parseFilter(text: string): { repository: string; tag: string } {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth = Math.max(0, depth - 1);
    else if (char === ':' && depth === 0) {
      const repository = text.slice(0, i);
      const tag = text.slice(i + 1);
      if (repository !== '' && tag !== '') return { repository, tag };
      break;
    }
  }
  throw usageError(`--filter "${text}": expected <repository-regex>:<tag-regex>`);
}

export function buildPurgeRequest(flags: PurgeFlags): PurgeRequest {
  const filters = (flags.filter ?? []).map(parseFilter);
  if (filters.length === 0) throw usageError('pass at least one --filter <repo-regex:tag-regex>');
  if (flags.ago === undefined) throw usageError('pass --ago, e.g. 30d, 2h, 1d3h or 0d');
  if (!PurgeAgo.safeParse(flags.ago).success) {
    throw usageError(`--ago "${flags.ago}": expected days and/or hours, e.g. 30d, 2h, 1d3h, 0d`);
  }
  return {
    filters,
    ago: flags.ago,
    untagged: flags.untagged ?? false,
    keep: flags.keep ?? 0,
    dryRun: flags.dryRun ?? false,
  };
}

export async function start(globals: GlobalOptions, flags: PurgeFlags): Promise<void> {
  const request = buildPurgeRequest(flags);
  const timeoutMs = parseDuration(flags.timeout ?? '30m');
  const intervalMs = parseDuration(flags.interval ?? '1s');
  const client = await connect(globals);
  const { body: started } = await client.request<{ id: string; status: string }>('/api/v1/purge', {
    method: 'POST',
    body: request,
  });
  if (!flags.wait) {
    print(started, globals);
    return;
  }
  process.stderr.write(`purge ${started.id} started${request.dryRun ? ' (dry run)' : ''}\n`);
  const job = await followJob<PurgeJob>({
    client,
    path: `/api/v1/purge/${started.id}`,
    intervalMs,
    timeoutMs,
    finished: (job) => job.status !== 'running',
    stillRunning: (job, waited) =>
      `purge ${job.id} still running after ${waited}: ${describe(job)}`,
  });
  printJob(job, globals);
}

export async function show(globals: GlobalOptions, id: string): Promise<void> {
  const client = await connect(globals);
  const { body: job } = await client.request<PurgeJob>(`/api/v1/purge/${encodeURIComponent(id)}`);
  printJob(job, globals);
}

const itemTable = {
  columns: [
    { header: 'Repository', path: 'repository' },
    { header: 'Tag', path: 'tag' },
    { header: 'Digest', path: 'digest' },
    { header: 'Action', path: 'action' },
    { header: 'Reason', path: 'reason' },
  ],
  rows: (result: unknown) => (result as PurgeJob).items,
};

/** The job (its items as a table on a terminal); a failed job ends with exit 1. */
function printJob(job: PurgeJob, globals: GlobalOptions): void {
  print(job, globals, itemTable);
  process.stderr.write(
    `purge ${job.id} ${job.status}${job.request.dryRun ? ' (dry run)' : ''}: ${describe(job)}\n`,
  );
  if (job.status === 'failed') {
    throw new CliError('PURGE_FAILED', `purge ${job.id} failed: ${job.error ?? 'no reason given'}`);
  }
}

function describe(job: PurgeJob): string {
  const p = job.progress;
  const verb = job.request.dryRun ? 'would delete' : 'deleted';
  return `${p.repositoriesDone}/${p.repositoriesMatched} repositories, ${verb} ${p.tagsDeleted} tags and ${p.manifestsDeleted} manifests, kept ${p.kept}, skipped ${p.skipped}`;
}
