/**
 * `meridian import <source> --target repo:tag …` (`POST /api/v1/imports`) and `meridian
 * import show <id>` (`GET /api/v1/imports/{id}`), as `az acr import` does. `--wait` asks
 * again every `--interval` and draws the bytes and blobs done until the job ends; a job that
 * failed ends with exit 1 and its reason, one still going at `--timeout` with exit 4. The
 * flags are checked here before anything is sent; the registry checks the request again.
 */
import { readFile } from 'node:fs/promises';
import {
  type ImportJob,
  type ImportRequest,
  parseImportSource,
  parseImportTarget,
} from '@meridian/contracts';
import { CliError, usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { parseDuration } from '../parse-duration';
import { readSecretFromStdin } from '../read-secret-stdin';
import { describeState, formatBytes, importDisplay } from './import-progress';
import { followJob } from './follow-job';

export interface ImportFlags {
  target?: string[];
  credentialSet?: string;
  username?: string;
  passwordStdin?: boolean;
  caBundle?: string;
  force?: boolean;
  allPlatforms?: boolean;
  platform?: string;
  wait?: boolean;
  timeout?: string;
  interval?: string;
}

/** The request the flags describe; the password, when piped, is added by `start`. */
export function buildImportRequest(source: string, flags: ImportFlags): ImportRequest {
  if (!parseImportSource(source))
    throw usageError(
      `"${source}": expected host[:port]/repository:tag, host[:port]/repository@digest, or repository:tag of this registry`,
    );
  const targets = flags.target ?? [];
  if (targets.length === 0) throw usageError('pass at least one --target <repository[:tag]>');
  for (const target of targets)
    if (!parseImportTarget(target))
      throw usageError(`--target "${target}": expected repository[:tag]`);
  if (flags.credentialSet !== undefined && flags.username !== undefined)
    throw usageError('give --credential-set or --username, not both');
  if (flags.username !== undefined && !flags.passwordStdin)
    throw usageError('--username needs --password-stdin (the password is never a flag)');
  return {
    source,
    target: targets.length === 1 ? targets[0]! : targets,
    ...(flags.credentialSet === undefined ? {} : { credentialSet: flags.credentialSet }),
    force: flags.force ?? false,
    allPlatforms: flags.allPlatforms ?? true,
    platform: flags.platform ?? 'linux/amd64',
  };
}

export async function start(
  globals: GlobalOptions,
  source: string,
  flags: ImportFlags,
): Promise<void> {
  const request = buildImportRequest(source, flags);
  const timeoutMs = parseDuration(flags.timeout ?? '30m');
  const intervalMs = parseDuration(flags.interval ?? '1s');
  if (flags.username !== undefined) {
    const password = await readSecretFromStdin(
      '--password-stdin',
      'echo "$PASSWORD" | meridian import ... --username me --password-stdin',
    );
    request.credentials = { username: flags.username, password };
  }
  if (flags.caBundle !== undefined) request.caBundle = await readFile(flags.caBundle, 'utf8');
  const client = await connect(globals);
  const { body: started } = await client.request<{ id: string; state: string }>('/api/v1/imports', {
    method: 'POST',
    body: request,
  });
  if (!flags.wait) {
    print(started, globals);
    return;
  }
  process.stderr.write(`import ${started.id} queued\n`);
  const display = await importDisplay(process.stderr);
  try {
    const job = await followJob<ImportJob>({
      client,
      path: `/api/v1/imports/${started.id}`,
      intervalMs,
      timeoutMs,
      finished: (job) => job.state === 'succeeded' || job.state === 'failed',
      onUpdate: (job) => display.update(job),
      stillRunning: (job, waited) => `import ${job.id} still ${describeState(job)} after ${waited}`,
    });
    display.stop();
    printJob(job, globals);
  } finally {
    display.stop();
  }
}

export async function show(globals: GlobalOptions, id: string): Promise<void> {
  const client = await connect(globals);
  const { body: job } = await client.request<ImportJob>(
    `/api/v1/imports/${encodeURIComponent(id)}`,
  );
  printJob(job, globals);
}

const jobColumns = {
  columns: [
    { header: 'Id', path: 'id' },
    { header: 'State', path: 'state' },
    { header: 'Source', path: 'source' },
    { header: 'Targets', path: 'targets' },
    { header: 'Digest', path: 'digest' },
    { header: 'Blobs', path: 'progress.blobsDone' },
    { header: 'Error', path: 'error.message' },
  ],
};

/** The job; a failed one ends with exit 1 and its reason. */
function printJob(job: ImportJob, globals: GlobalOptions): void {
  print(job, globals, jobColumns);
  const { bytesDone, blobsDone, blobsTotal, blobsMounted } = job.progress;
  process.stderr.write(
    `import ${job.id} ${describeState(job)}: ${blobsDone}/${blobsTotal} blobs (${blobsMounted} already here), ${formatBytes(bytesDone)}\n`,
  );
  if (job.state === 'failed') {
    throw new CliError(
      job.error?.reason ?? 'IMPORT_FAILED',
      `import ${job.id} failed: ${job.error?.message ?? 'no reason given'}`,
    );
  }
}
