/**
 * A real S3 server for tests: a throwaway single-node Ceph cluster (one mon, one bluestore
 * OSD on a sparse file, no mgr, no auth) with a RADOS Gateway in front, every file under
 * one fresh working directory and every port chosen free, so several can run on one machine.
 *
 * The daemons are children of a watchdog shell that holds a pipe from this process: when
 * this process goes away for any reason (jest killing a worker included), the watchdog
 * kills the daemons and removes the working directory, so nothing outlives the test run.
 *
 * `startOrReuseCephRgw` lets a whole test run share one gateway: CI starts one with
 * `ceph-rgw.cli.ts` and exports MERIDIAN_TEST_S3_*; each test then uses its own bucket.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface CephRgwOptions {
  /** Parent of the cluster's working directory (default: the OS temp directory). */
  dataDir?: string;
  /** Size of the OSD's sparse block file; only written bytes take disk space. */
  blockSizeBytes?: number;
  /** Upper bound for the whole start, in milliseconds. */
  startTimeoutMs?: number;
}

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops what was started; a no-op for a server this process only connected to. */
  stop(): Promise<void>;
}

export const testS3EnvNames = {
  endpoint: 'MERIDIAN_TEST_S3_ENDPOINT',
  region: 'MERIDIAN_TEST_S3_REGION',
  accessKeyId: 'MERIDIAN_TEST_S3_ACCESS_KEY_ID',
  secretAccessKey: 'MERIDIAN_TEST_S3_SECRET_ACCESS_KEY',
} as const;

const defaultRegion = 'us-east-1';

/** The gateway named by MERIDIAN_TEST_S3_* when set, else a fresh one this process owns. */
export async function startOrReuseCephRgw(options: CephRgwOptions = {}): Promise<S3Server> {
  const endpoint = process.env[testS3EnvNames.endpoint];
  if (!endpoint) return startCephRgw(options);
  const accessKeyId = process.env[testS3EnvNames.accessKeyId];
  const secretAccessKey = process.env[testS3EnvNames.secretAccessKey];
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      `${testS3EnvNames.endpoint} is set but ${testS3EnvNames.accessKeyId} or ${testS3EnvNames.secretAccessKey} is not`,
    );
  }
  return {
    endpoint,
    region: process.env[testS3EnvNames.region] || defaultRegion,
    accessKeyId,
    secretAccessKey,
    stop: async () => undefined,
  };
}

/** The env lines that make `startOrReuseCephRgw` reuse `server`. */
export function testS3EnvLines(server: S3Server): string[] {
  return [
    `${testS3EnvNames.endpoint}=${server.endpoint}`,
    `${testS3EnvNames.region}=${server.region}`,
    `${testS3EnvNames.accessKeyId}=${server.accessKeyId}`,
    `${testS3EnvNames.secretAccessKey}=${server.secretAccessKey}`,
  ];
}

/** A bucket name no other test uses (S3 rules: 3–63 chars of [a-z0-9-]). */
export function uniqueBucketName(label = 'test'): string {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  return `${safeLabel}-${randomBytes(6).toString('hex')}`;
}

export async function startCephRgw(options: CephRgwOptions = {}): Promise<S3Server> {
  const parent = options.dataDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'meridian-ceph-'));
  const watchdog = startWatchdog(dir);
  const daemons: ChildProcess[] = [];
  const stop = async () => {
    const exits = [watchdog, ...daemons].map(waitForExit);
    // Keep this process alive until the watchdog has killed the daemons and removed `dir`.
    for (const child of [watchdog, ...daemons]) child.ref();
    watchdog.stdin?.end();
    await Promise.all(exits);
  };
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    const server = await bootCluster(dir, options, deadline, (name, args) => {
      const daemon = spawnDaemon(dir, name, args);
      daemons.push(daemon);
      return appendPid(dir, daemon).then(() => daemon);
    });
    return { ...server, stop };
  } catch (error) {
    const logs = await describeLogs(dir);
    await stop();
    throw new Error(`ceph rgw failed to start: ${(error as Error).message}\n${logs}`, {
      cause: error,
    });
  }
}

type SpawnDaemon = (name: string, args: string[]) => Promise<ChildProcess>;

async function bootCluster(
  dir: string,
  options: CephRgwOptions,
  deadline: number,
  spawnDaemonTracked: SpawnDaemon,
): Promise<Omit<S3Server, 'stop'>> {
  const fsid = randomUUID();
  const monPort = await freePort();
  let rgwPort = await freePort();
  while (rgwPort === monPort) rgwPort = await freePort();
  const conf = join(dir, 'ceph.conf');
  await Promise.all(['run', 'log', 'mon', 'osd', 'crash'].map((sub) => mkdir(join(dir, sub))));
  await writeFile(
    conf,
    cephConf({ dir, fsid, monPort, rgwPort, blockSizeBytes: options.blockSizeBytes }),
  );

  const monmap = join(dir, 'monmap');
  await run('monmaptool', [
    '--create',
    '--addv',
    'a',
    `[v2:127.0.0.1:${monPort}]`,
    '--fsid',
    fsid,
    monmap,
  ]);
  await run('ceph-authtool', [
    '--create-keyring',
    join(dir, 'keyring'),
    '--gen-key',
    '-n',
    'mon.',
    '--cap',
    'mon',
    'allow *',
  ]);
  await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap]);
  await spawnDaemonTracked('mon.a', ['ceph-mon', '-c', conf, '-i', 'a', '-f']);

  const osdUuid = randomUUID();
  const osdId = (
    await run('ceph', ['-c', conf, '--connect-timeout', '30', 'osd', 'new', osdUuid])
  ).stdout.trim();
  await mkdir(join(dir, 'osd', `ceph-${osdId}`));
  await run('ceph-osd', ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
  await spawnDaemonTracked(`osd.${osdId}`, ['ceph-osd', '-c', conf, '-i', osdId, '-f']);
  // radosgw waits for the OSD by itself (it creates its pools once PGs can go active).
  await spawnDaemonTracked('client.rgw', ['radosgw', '-c', conf, '-n', 'client.rgw', '-f']);

  const endpoint = `http://127.0.0.1:${rgwPort}`;
  await pollUntil(deadline, 'radosgw answering http', async () => (await fetch(endpoint)).ok);

  const accessKeyId = `MERIDIAN${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  await run('radosgw-admin', [
    '-c',
    conf,
    'user',
    'create',
    '--uid',
    'meridian-test',
    '--display-name',
    'meridian test',
    '--access-key',
    accessKeyId,
    '--secret-key',
    secretAccessKey,
  ]);
  const server = { endpoint, region: defaultRegion, accessKeyId, secretAccessKey };
  await pollUntil(deadline, 's3 requests succeeding', async () => {
    await warmUp(server);
    return true;
  });
  return server;
}

function cephConf(p: {
  dir: string;
  fsid: string;
  monPort: number;
  rgwPort: number;
  blockSizeBytes?: number;
}): string {
  const d = p.dir;
  return `[global]
fsid = ${p.fsid}
mon host = v2:127.0.0.1:${p.monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
public addr = 127.0.0.1
run dir = ${d}/run
pid file = ${d}/run/$name.pid
log file = ${d}/log/$name.log
crash dir = ${d}/crash
keyring = ${d}/keyring
mon data = ${d}/mon/$cluster-$id
osd data = ${d}/osd/$cluster-$id
mon cluster log to file = false
log to stderr = false
err to stderr = true
client mount timeout = 30
# one OSD holds everything: no replicas, few PGs, OSDs (not hosts) as failure domain
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
# the monitor batches map changes; a short interval makes pool creation (and so startup) fast
paxos propose interval = 0.05
osd objectstore = bluestore
bluestore block create = true
bluestore block size = ${p.blockSizeBytes ?? 32 * 1024 ** 3}
bluestore fsck on mkfs = false
osd memory target = 1073741824
debug ms = 0/0

[mon]
admin socket = ${d}/run/$name.asok

[osd]
admin socket = ${d}/run/$name.asok

[client]
# without crc, clients of an auth-less cluster hang (get_initial_auth_request returned -13)
ms mon client mode = crc

[client.rgw]
admin socket = ${d}/run/$name.asok
rgw data = ${d}/rgw
# without tcp_nodelay a small GET takes ~45 ms instead of ~2.5 ms
rgw frontends = beast endpoint=127.0.0.1:${p.rgwPort} tcp_nodelay=1
# reclaim deleted objects' space within a minute instead of hours (benchmarks churn a lot)
rgw gc obj min wait = 60
rgw gc processor period = 60
debug rgw = 0/5
`;
}

/**
 * A shell that waits for its stdin (a pipe from this process) to close, then kills every pid
 * listed in `<dir>/pids`, waits (bounded) for them to be gone, and removes `<dir>`.
 *
 * It ignores SIGTERM/SIGINT/SIGHUP: test runners stop a run by signalling the whole process
 * group, which reaches the daemons too; the watchdog must outlive that to remove the directory
 * (the pipe closes when this process dies, whatever killed it).
 */
const watchdogScript = `trap '' TERM INT HUP
cat >/dev/null
pids=$(cat "$1/pids" 2>/dev/null)
[ -n "$pids" ] && kill -9 $pids 2>/dev/null
for _ in $(seq 50); do kill -0 $pids 2>/dev/null || break; sleep 0.1; done
rm -rf "$1" || { sleep 1; rm -rf "$1"; }`;

function startWatchdog(dir: string): ChildProcess {
  const watchdog = spawn('/bin/sh', ['-c', watchdogScript, 'ceph-watchdog', dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // The pipe stays open for the life of the cluster; it must not keep jest's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

function spawnDaemon(dir: string, name: string, [command, ...args]: string[]): ChildProcess {
  const out = join(dir, 'log', `${name}.out`);
  const daemon = spawn('/bin/sh', ['-c', 'exec "$@" >>"$0" 2>&1', out, command!, ...args], {
    stdio: 'ignore',
  });
  daemon.unref();
  return daemon;
}

async function appendPid(dir: string, daemon: ChildProcess): Promise<void> {
  if (daemon.pid === undefined) throw new Error('failed to spawn a ceph daemon');
  const file = await open(join(dir, 'pids'), 'a');
  try {
    await file.write(`${daemon.pid}\n`);
  } finally {
    await file.close();
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function warmUp(server: Omit<S3Server, 'stop'>): Promise<void> {
  // The first requests create RGW's index, data and multipart pools: pay for that here,
  // not inside the first test that happens to run.
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = uniqueBucketName('warm-up');
  try {
    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'probe', Body: 'probe' }));
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket, Key: 'multipart' }),
    );
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'multipart', UploadId }));
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'probe' }));
    await client.send(new DeleteBucketCommand({ Bucket }));
  } finally {
    client.destroy();
  }
}

async function pollUntil(
  deadline: number,
  what: string,
  probe: () => Promise<boolean>,
): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`, { cause: lastError });
}

async function describeLogs(dir: string): Promise<string> {
  const names = ['mon.a', 'osd.0', 'client.rgw'];
  const tails = await Promise.all(
    names
      .flatMap((name) => [`${name}.out`, `${name}.log`])
      .map(async (file) => {
        const text = await readFile(join(dir, 'log', file), 'utf8').catch(() => '');
        const lines = text.trimEnd().split('\n').slice(-15).join('\n');
        return lines ? `--- ${file}\n${lines}` : '';
      }),
  );
  return tails.filter(Boolean).join('\n');
}
