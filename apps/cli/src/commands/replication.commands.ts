/**
 * `meridian replication create | show | delete` over `/api/v1/replications` (Owner): the
 * regions of the registry, added and removed at runtime; `create --wait` waits until the new
 * region is `ready` (its backfill done), showing its status and progress as they change.
 * `meridian replication list | status | lag`: each replication's status beside the link to it
 * (with anti-entropy's progress per peer), where an image is
 * ready, and each link's lag as sampled over the last minutes (`/api/v1/replication/regions`,
 * `/status` and `/lag-history`, answered by the region the registry address reaches). `status --wait` is what a pipeline runs between pushing an image and
 * deploying it in other regions: it asks again every `--interval` until the image is
 * ready in every region asked for (default all), showing a line per region (a progress
 * bar each on a terminal, a plain line per change otherwise, on stderr so stdout keeps
 * the final status), and fails with exit 4 and the regions still waiting at `--timeout`.
 * A region that failed is still waited for: replication retries it until the timeout.
 */
import {
  type LagSample,
  type PeerStatus,
  type RegionStatus,
  ReplicationInput,
  type ReplicationView,
} from '@meridian/contracts';
import { CliError, exitStatus, usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { RegistryClient } from '../http/registry-client';
import { type ImageReference, parseImageReference, referenceOf } from '../parse-image-reference';
import { formatDuration, parseDuration } from '../parse-duration';
import { type WaitDisplay, waitDisplay } from './wait-display';

interface StatusView {
  repository: string;
  digest: string;
  regions: RegionStatus[];
}

interface RegionsView {
  region: string;
  peers: PeerStatus[];
}

interface ListView extends RegionsView {
  replications: ReplicationView[];
}

/**
 * Each replication with its status, and for a peer the link to it as this region sees it.
 * As JSON: the region called, its peer links and the replications.
 */
export async function list(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const [{ body: links }, { body: set }] = await Promise.all([
    client.request<RegionsView>('/api/v1/replication/regions'),
    client.request<{ replications: ReplicationView[] }>('/api/v1/replications'),
  ]);
  const view: ListView = { ...links, replications: set.replications };
  print(view, globals, {
    columns: [
      { header: 'Region', path: 'region' },
      { header: 'Status', path: 'status' },
      { header: 'Reason', path: 'statusReason' },
      { header: 'Progress', path: 'progress' },
      { header: 'Connected', path: 'connected' },
      { header: 'EventsPending', path: 'eventsPending' },
      { header: 'OldestPendingAgeMs', path: 'oldestPendingAgeMs' },
      { header: 'CopyBytesPerSecond', path: 'copyBytesPerSecond' },
      { header: 'LastError', path: 'lastError' },
      { header: 'AntiEntropy', path: 'antiEntropy.state' },
      { header: 'Mode', path: 'antiEntropy.mode' },
      { header: 'LastPass', path: 'antiEntropy.lastPassAt' },
      { header: 'Compared', path: 'antiEntropy.repositoriesCompared' },
      { header: 'Repaired', path: 'antiEntropy.repaired' },
    ],
    rows: (result) =>
      (result as ListView).replications.map((replication) => ({
        ...(result as ListView).peers.find((peer) => peer.region === replication.region),
        ...replication,
        region: replication.local ? `${replication.region} (this region)` : replication.region,
        progress: describeProgress(replication),
      })),
  });
}

export interface ReplicationFlags {
  natsDomain?: string;
  storagePath?: string;
  s3Endpoint?: string;
  s3Bucket?: string;
  s3Region?: string;
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  s3ForcePathStyle?: boolean;
}

/** The replication the flags describe, or a usage error naming what is wrong. */
export function buildReplication(flags: ReplicationFlags): ReplicationInput {
  const s3 = flags.s3Endpoint ?? flags.s3Bucket ?? flags.s3AccessKeyId ?? flags.s3SecretAccessKey;
  if ((flags.storagePath === undefined) === (s3 === undefined))
    throw usageError(
      'give --storage-path <dir>, or --s3-endpoint, --s3-bucket, --s3-access-key-id and --s3-secret-access-key',
    );
  const parsed = ReplicationInput.safeParse({
    ...(flags.natsDomain === undefined ? {} : { natsDomain: flags.natsDomain }),
    storage:
      flags.storagePath !== undefined
        ? { type: 'filesystem', path: flags.storagePath }
        : {
            type: 's3',
            endpoint: flags.s3Endpoint,
            bucket: flags.s3Bucket,
            ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
            accessKeyId: flags.s3AccessKeyId,
            secretAccessKey: flags.s3SecretAccessKey,
            ...(flags.s3ForcePathStyle ? { forcePathStyle: true } : {}),
          },
  });
  if (!parsed.success)
    throw usageError(
      parsed.error.issues
        .map((issue) => `${replicationFlagOf(issue.path)}: ${issue.message}`)
        .join('; '),
    );
  return parsed.data;
}

export interface CreateOptions extends ReplicationFlags {
  wait?: boolean;
  timeout?: string;
  interval?: string;
}

const replicationColumns = [
  { header: 'Region', path: 'region' },
  { header: 'Status', path: 'status' },
  { header: 'Reason', path: 'statusReason' },
  { header: 'NatsDomain', path: 'natsDomain' },
  { header: 'Storage', path: 'storage.type' },
  { header: 'LagMs', path: 'lagMs' },
];

export async function create(
  globals: GlobalOptions,
  region: string,
  options: CreateOptions,
): Promise<void> {
  const replication = buildReplication(options);
  const timeoutMs = parseDuration(options.timeout ?? '10m');
  const intervalMs = parseDuration(options.interval ?? '2s');
  const client = await connect(globals);
  const started = Date.now();
  let { body } = await client.request<ReplicationView>(replicationPath(region), {
    method: 'PUT',
    body: replication,
  });
  if (options.wait) {
    let shown = '';
    for (;;) {
      const line = `${region}: ${body.status}${describeProgress(body) ? ` ${describeProgress(body)}` : ''}${
        body.statusReason ? ` (${body.statusReason})` : ''
      }`;
      if (line !== shown) process.stderr.write(`${line}\n`);
      shown = line;
      if (body.status === 'ready') break;
      const left = started + timeoutMs - Date.now();
      if (left <= 0)
        throw new CliError(
          'TIMEOUT',
          `replication ${region} is not ready after ${formatDuration(timeoutMs)}: ${body.status}${
            body.statusReason ? ` (${body.statusReason})` : ''
          }`,
          exitStatus.timeout,
        );
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
      try {
        ({ body } = await client.request<ReplicationView>(replicationPath(region)));
      } catch (error) {
        if (!(error instanceof CliError) || !retried.has(error.code)) throw error;
      }
    }
  }
  print(body, globals, { columns: replicationColumns });
}

export async function show(globals: GlobalOptions, region: string): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<ReplicationView>(replicationPath(region));
  print(body, globals, { columns: replicationColumns });
}

export async function remove(globals: GlobalOptions, region: string): Promise<void> {
  const client = await connect(globals);
  await client.request(replicationPath(region), { method: 'DELETE' });
  process.stderr.write(`replication ${region} deleted (its data stays; it is standalone now)\n`);
}

function describeProgress(replication: ReplicationView): string {
  const progress = replication.provisioning;
  if (!progress) return '';
  return `${progress.compared}${progress.total === undefined ? '' : `/${progress.total}`} compared, ${progress.repaired} repaired`;
}

function replicationFlagOf(path: readonly PropertyKey[]): string {
  const last = String(path[path.length - 1] ?? '');
  if (path[0] === 'natsDomain') return '--nats-domain';
  if (last === 'path') return '--storage-path';
  if (last === 'accessKeyId') return '--s3-access-key-id';
  if (last === 'secretAccessKey') return '--s3-secret-access-key';
  return `--s3-${last.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function replicationPath(region: string): string {
  return `/api/v1/replications/${encodeURIComponent(region)}`;
}

interface LagHistoryView {
  region: string;
  sampleIntervalSeconds: number;
  peers: Array<{ region: string; samples: LagSample[] }>;
}

/** A row per sample: peer, time, lag, events pending, whether the link answered. */
export async function lag(globals: GlobalOptions, options: { minutes?: string }): Promise<void> {
  const minutes = options.minutes ?? '60';
  if (!/^\d+$/.test(minutes) || Number(minutes) < 1 || Number(minutes) > 1440)
    throw usageError(`--minutes must be a whole number from 1 to 1440, not ${minutes}`);
  const client = await connect(globals);
  const { body } = await client.request<LagHistoryView>('/api/v1/replication/lag-history', {
    query: { minutes },
  });
  print(body, globals, {
    columns: [
      { header: 'Peer', path: 'peer' },
      { header: 'Time', path: 'time' },
      { header: 'LagMs', path: 'lagMs' },
      { header: 'Pending', path: 'pending' },
      { header: 'Connected', path: 'connected' },
    ],
    rows: (result) =>
      (result as LagHistoryView).peers.flatMap((peer) =>
        peer.samples.map((sample) => ({ ...sample, peer: peer.region })),
      ),
  });
}

export interface StatusOptions {
  wait?: boolean;
  regions?: string;
  timeout?: string;
  interval?: string;
}

const retried = new Set(['UNAVAILABLE', 'UNREACHABLE', 'TOOMANYREQUESTS']);

export async function status(
  globals: GlobalOptions,
  imageText: string,
  options: StatusOptions,
): Promise<void> {
  const image = parseImageReference(imageText, { tagOptional: true });
  const wanted = options.regions
    ?.split(',')
    .map((region) => region.trim())
    .filter((region) => region !== '');
  const timeoutMs = parseDuration(options.timeout ?? '10m');
  const intervalMs = parseDuration(options.interval ?? '1s');
  const client = await connect(globals);
  if (!options.wait) {
    const answer = await fetchStatus(client, image);
    print(selected(answer, wanted), globals, regionTable);
    return;
  }

  const started = Date.now();
  const deadline = started + timeoutMs;
  let display: WaitDisplay | undefined;
  let last: StatusView | undefined;
  try {
    for (;;) {
      try {
        last = selected(await fetchStatus(client, image), wanted);
        display ??= await waitDisplay(
          process.stderr,
          last.regions.map((region) => region.region),
        );
        display.update(last.regions, Date.now() - started);
        if (last.regions.every((region) => region.state === 'ready')) break;
      } catch (error) {
        if (!(error instanceof CliError) || !retried.has(error.code)) throw error;
        if (Date.now() >= deadline) throw error;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const waiting = (last?.regions ?? []).filter((region) => region.state !== 'ready');
        throw new CliError(
          'TIMEOUT',
          `${imageText} is not ready after ${formatDuration(timeoutMs)} in ${waiting
            .map(describeWaiting)
            .join(', ')}`,
          exitStatus.timeout,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
    }
  } finally {
    display?.stop();
  }
  print(last, globals, regionTable);
}

const regionTable = {
  columns: [
    { header: 'Region', path: 'region' },
    { header: 'State', path: 'state' },
    { header: 'Since', path: 'since' },
    { header: 'LagMs', path: 'lagMs' },
    { header: 'LastError', path: 'lastError' },
  ],
  rows: (result: unknown) => (result as StatusView).regions,
};

async function fetchStatus(client: RegistryClient, image: ImageReference): Promise<StatusView> {
  const { body } = await client.request<StatusView>('/api/v1/replication/status', {
    query: { repository: image.repository, reference: referenceOf(image) },
  });
  return body;
}

/** Only the regions asked for; a name the registry does not know is a usage error. */
function selected(status: StatusView, wanted: readonly string[] | undefined): StatusView {
  if (!wanted || wanted.length === 0) return status;
  const known = status.regions.map((region) => region.region);
  const unknown = wanted.filter((region) => !known.includes(region));
  if (unknown.length > 0) {
    throw usageError(`unknown region ${unknown.join(', ')}; the registry has ${known.join(', ')}`);
  }
  return { ...status, regions: status.regions.filter((region) => wanted.includes(region.region)) };
}

function describeWaiting(region: RegionStatus): string {
  return `${region.region} (${region.state} since ${region.since}${
    region.lastError ? `: ${region.lastError}` : ''
  })`;
}
