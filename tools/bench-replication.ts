#!/usr/bin/env node
/**
 * `npm run bench:replication`: how long an image pushed to one region takes to be ready
 * in the other, and how fast replication copies blobs compared with the store itself.
 *
 * Starts the embedded default (two regions, as `npm start`) in a temporary directory and:
 *   1. latency: pushes IMAGES images of 3 × 16 MiB random layers to us-east through the
 *      OCI API, as a client does (layers, then the manifest at once), and times each from
 *      the manifest PUT to eu-west's `replication.completed.v1` for it (a subscription on
 *      eu-west's event subject); p50, p99, max;
 *   2. copy throughput: pushes COPY_BLOBS more 16 MiB blobs one at a time and times each
 *      from its upload's 201 in us-east to the moment it is in eu-west's store (blob
 *      copies start on `blob.uploaded.v1`);
 *   3. the store's own speed on the same disk: the filesystem driver writing, reading and
 *      copying STORE_MIB (128) MiB of 16 MiB blobs store to store: `copyFrom` proving the
 *      digest (what replication does between two filesystem stores: in the kernel, then
 *      hashed), and the same bytes streamed through this process (read, sha256, put: the
 *      copy replication made before).
 * `--store` runs only 3, without starting Meridian.
 *
 * `--backfill` measures instead how fast a region catches up on what a peer holds: two
 * regions with MERIDIAN_REPLICATIONS=us-east (eu-west stand-alone); BACKFILL_IMAGES (1000)
 * images of one BACKFILL_LAYER_MIB (5) MiB random layer pushed to us-east over HTTP,
 * BACKFILL_CONCURRENCY (8) at a time, in 50 repositories; then Meridian is restarted with
 * both regions replicating, and timed from eu-west's replication start (its anti-entropy
 * backfill pass) until every manifest answers in eu-west: items/s and MiB/s, against
 * `cp -r` of us-east's blobs directory (then `sync`) on the same disk.
 *
 * Environment: BENCH_IMAGES (20), BENCH_COPY_BLOBS (10), BENCH_STORE_MIB (128),
 * BENCH_BACKFILL_IMAGES (1000), BENCH_BACKFILL_LAYER_MIB (5), BENCH_BACKFILL_CONCURRENCY (8),
 * BENCH_KEEP=1 keeps the data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { eventSubject, replicationCompleted } from '@meridian/contracts';
import { FilesystemStorageDriver, blobKey, verifyDigest } from '@meridian/storage';
import { connect } from '@nats-io/transport-node';
import { observerConnectOptions } from '../apps/dev/src/nats-credentials';
import { freePortPair } from '@meridian/testing';

const root = resolve(__dirname, '..');
const mib = 1024 * 1024;
const layerBytes = 16 * mib;
const layersPerImage = 3;
const images = Number(process.env['BENCH_IMAGES'] ?? 20);
const copyBlobs = Number(process.env['BENCH_COPY_BLOBS'] ?? 10);
const storeMib = Number(process.env['BENCH_STORE_MIB'] ?? 128);
const backfillImages = Number(process.env['BENCH_BACKFILL_IMAGES'] ?? 1000);
const backfillLayerBytes = Number(process.env['BENCH_BACKFILL_LAYER_MIB'] ?? 5) * mib;
const backfillConcurrency = Number(process.env['BENCH_BACKFILL_CONCURRENCY'] ?? 8);
const backfillRepositories = 50;
const log = (line: string) => console.log(`[bench] ${line}`);

interface Launched {
  child: ChildProcess;
  gateways: Record<string, string>;
  nats: Record<string, string>;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-replication-'));
  await chmod(dataDir, 0o755);
  try {
    if (process.argv.includes('--store')) await reportStoreSpeed(dataDir);
    else if (process.argv.includes('--backfill')) await backfill(dataDir);
    else await latencyAndCopies(dataDir);
  } finally {
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  }
}

async function latencyAndCopies(dataDir: string): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  const launched = await launch(dataDir, password);
  const registry = new Registry(launched.gateways['us-east']!, 'admin', password);
  try {
    const nats = await connect({
      servers: launched.nats['eu-west']!,
      ...(await observerConnectOptions(dataDir, 'eu-west')),
    });
    const completedAt = new Map<string, { at: number; lagMs: number }>();
    const waiters = new Map<string, () => void>();
    nats.subscribe(eventSubject('eu-west', replicationCompleted.name), {
      callback: (_err, msg) => {
        const event = replicationCompleted.schema.parse(msg.json());
        if (event.region !== 'eu-west') return;
        completedAt.set(event.digest, { at: performance.now(), lagMs: event.lagMs });
        waiters.get(event.digest)?.();
      },
    });
    await nats.flush();

    log(`latency: ${images} images of ${layersPerImage} × 16 MiB pushed to us-east`);
    const latencies: number[] = [];
    const eventLags: number[] = [];
    for (let index = 0; index < images; index++) {
      const repository = `bench/replication-${index}`;
      const layers = [];
      for (let layer = 0; layer < layersPerImage; layer++)
        layers.push(await registry.pushBlob(repository, randomBytes(layerBytes)));
      const config = await registry.pushBlob(
        repository,
        Buffer.from('{"architecture":"amd64","os":"linux"}'),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: layers.map((descriptor) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            ...descriptor,
          })),
        }),
      );
      const digest = sha256(manifest);
      const done = new Promise<void>((resolveDone) => waiters.set(digest, resolveDone));
      const started = performance.now();
      await registry.putManifest(repository, 'v1', manifest);
      await withTimeout(done, 120_000, `replication.completed for ${repository} in eu-west`);
      const completed = completedAt.get(digest)!;
      latencies.push(completed.at - started);
      eventLags.push(completed.lagMs);
      if ((index + 1) % 5 === 0) log(`  ${index + 1}/${images} images ready in eu-west`);
    }
    log(`  manifest PUT → completed in eu-west: ${summary(latencies)}`);
    log(`  the events' own lagMs (push committed → ready): ${summary(eventLags)}`);

    log(`copy throughput: ${copyBlobs} blobs of 16 MiB, one at a time`);
    const euWestStore = join(dataDir, 'eu-west', 'store');
    const copyRates: number[] = [];
    for (let index = 0; index < copyBlobs; index++) {
      const blob = await registry.pushBlob('bench/copies', randomBytes(layerBytes));
      const uploaded = performance.now();
      await waitForFile(join(euWestStore, blobKey(blob.digest)), layerBytes);
      copyRates.push(layerBytes / mib / ((performance.now() - uploaded) / 1000));
    }
    log(`  upload 201 in us-east → in eu-west's store, MiB/s: ${summary(copyRates)}`);

    const store = await reportStoreSpeed(dataDir);
    log(
      `replication copy / store copyFrom (medians): ${(median(copyRates) / store.copy).toFixed(2)}`,
    );
    await nats.close();
  } finally {
    await stop(launched);
  }
}

async function stop(launched: Launched): Promise<void> {
  launched.child.kill('SIGTERM');
  await new Promise((resolveExit) => launched.child.once('exit', resolveExit));
}

/** The launcher in the foreground, JSON logs; resolves with every gateway and nats URL. */
async function launch(
  dataDir: string,
  password: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Launched> {
  const port = await freePortPair();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_REGIONS: 'us-east,eu-west',
    MERIDIAN_LOG_FORMAT: 'json',
    MERIDIAN_LOG_LEVEL: 'warn',
    MERIDIAN_ADMIN_PASSWORD: password,
    ...extraEnv,
  };
  for (const key of ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'])
    delete env[key];
  if (!('MERIDIAN_REPLICATIONS' in extraEnv)) delete env['MERIDIAN_REPLICATIONS'];
  log(
    `starting two regions from port ${port} in ${dataDir}` +
      (env['MERIDIAN_REPLICATIONS'] ? ` (replicating: ${env['MERIDIAN_REPLICATIONS']})` : ''),
  );
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dev/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const nats: Record<string, string> = {};
  return new Promise((resolveLaunch, reject) => {
    const timer = setTimeout(() => reject(new Error('meridian was not ready in 240 s')), 240_000);
    child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: { msg?: string; region?: string; url?: string; regions?: Record<string, string> };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'nats-server ready' && record.region && record.url)
        nats[record.region] = record.url;
      if (record.msg === 'meridian ready' && record.regions) {
        clearTimeout(timer);
        resolveLaunch({ child, gateways: record.regions, nats });
      }
    });
  });
}

/** The OCI API requests the bench makes, with a token when the registry wants one. */
class Registry {
  /** a pull+push token per repository */
  private readonly tokens = new Map<string, string>();
  /** the `WWW-Authenticate` of `GET /v2/`; null when the registry wants no token */
  private challenge: string | null | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async pushBlob(repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(bytes);
    await this.request(
      repository,
      'POST',
      `/v2/${repository}/blobs/uploads/?digest=${digest}`,
      [201],
      bytes,
      {
        'content-type': 'application/octet-stream',
      },
    );
    return { digest, size: bytes.length };
  }

  async putManifest(repository: string, tag: string, body: Buffer): Promise<void> {
    await this.request(repository, 'PUT', `/v2/${repository}/manifests/${tag}`, [201], body, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    });
  }

  /** Whether the registry serves the manifest (HEAD: 200), else false (404, or busy: 503). */
  async hasManifest(repository: string, reference: string): Promise<boolean> {
    const token = await this.token(repository);
    const response = await fetch(
      new URL(`/v2/${repository}/manifests/${reference}`, this.baseUrl),
      {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.oci.image.manifest.v1+json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
    );
    if (![200, 404, 503].includes(response.status))
      throw new Error(`HEAD ${repository}:${reference}: ${response.status}`);
    return response.status === 200;
  }

  private async request(
    repository: string,
    method: string,
    path: string,
    expected: number[],
    body: Buffer,
    headers: Record<string, string>,
  ): Promise<Response> {
    // a token first: a 16 MiB body sent without one is cut off by the 401
    const token = await this.token(repository);
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      body,
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (!expected.includes(response.status))
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return response;
  }

  /** A pull+push token for the repository, when `GET /v2/` says the registry wants one. */
  private async token(repository: string): Promise<string | undefined> {
    if (this.tokens.has(repository)) return this.tokens.get(repository);
    const challenge = (this.challenge ??= await fetch(new URL('/v2/', this.baseUrl)).then(
      async (response) => {
        await response.arrayBuffer();
        const header = response.headers.get('www-authenticate');
        return response.status === 401 && header?.startsWith('Bearer ') ? header : null;
      },
    ));
    if (!challenge) return undefined;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
    );
    const realm = new URL(params['realm'] ?? '/oauth2/token', this.baseUrl);
    realm.searchParams.set('service', params['service'] ?? 'meridian');
    realm.searchParams.set('scope', `repository:${repository}:pull,push`);
    const basic = Buffer.from(`${this.username}:${this.password}`).toString('base64');
    const response = await fetch(realm, { headers: { authorization: `Basic ${basic}` } });
    if (response.status !== 200)
      throw new Error(`token: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token ?? '';
    this.tokens.set(repository, token);
    return token;
  }
}

/**
 * The backfill: how fast eu-west catches up on BACKFILL_IMAGES images us-east holds once
 * the two start replicating (see the top of the file).
 */
async function backfill(dataDir: string): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  const images = Array.from({ length: backfillImages }, (_, index) => ({
    repository: `bench/backfill-${index % backfillRepositories}`,
    tag: `v${index}`,
  }));
  let pushedBytes = 0;
  const standAlone = await launch(dataDir, password, { MERIDIAN_REPLICATIONS: 'us-east' });
  try {
    const usEast = new Registry(standAlone.gateways['us-east']!, 'admin', password);
    log(
      `pushing ${backfillImages} images of one ${backfillLayerBytes / mib} MiB layer to us-east, ${backfillConcurrency} at a time (eu-west stand-alone)`,
    );
    const started = performance.now();
    let next = 0;
    const pusher = async () => {
      for (let index = next++; index < images.length; index = next++) {
        const { repository, tag } = images[index]!;
        const layer = await usEast.pushBlob(repository, randomBytes(backfillLayerBytes));
        const config = await usEast.pushBlob(
          repository,
          Buffer.from(`{"architecture":"amd64","os":"linux","bench":${index}}`),
        );
        await usEast.putManifest(repository, tag, imageManifest(config, [layer]));
        pushedBytes += layer.size + config.size;
        if ((index + 1) % 100 === 0) log(`  ${index + 1}/${images.length} pushed`);
      }
    };
    await Promise.all(Array.from({ length: backfillConcurrency }, pusher));
    const pushSeconds = (performance.now() - started) / 1000;
    log(
      `  pushed ${(pushedBytes / mib).toFixed(0)} MiB in ${pushSeconds.toFixed(1)} s (${(pushedBytes / mib / pushSeconds).toFixed(0)} MiB/s)`,
    );
    const euWest = new Registry(standAlone.gateways['eu-west']!, 'admin', password);
    if (await euWest.hasManifest(images[0]!.repository, images[0]!.tag))
      throw new Error('eu-west holds an image while stand-alone: the bench measures nothing');
  } finally {
    await stop(standAlone);
  }

  log('restarting with both regions replicating');
  const relaunchedAt = performance.now();
  const replicating = await launch(dataDir, password);
  try {
    const readyAt = performance.now();
    const euWest = new Registry(replicating.gateways['eu-west']!, 'admin', password);
    const passStartedAt = await backfillStart(replicating.gateways['eu-west']!, password);
    let missing = images;
    let progressAt = 0;
    const deadline = Date.now() + 30 * 60_000;
    while (missing.length > 0) {
      if (Date.now() > deadline) throw new Error(`${missing.length} images never reached eu-west`);
      const present = await mapConcurrently(missing, 4, ({ repository, tag }) =>
        euWest.hasManifest(repository, tag),
      );
      missing = missing.filter((_image, index) => !present[index]);
      if (missing.length > 0) {
        if (performance.now() - progressAt > 10_000) {
          log(`  ${images.length - missing.length}/${images.length} in eu-west`);
          progressAt = performance.now();
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
      }
    }
    const doneAt = Date.now();
    const seconds = (doneAt - passStartedAt.getTime()) / 1000;
    const status = await replicationRegions(replicating.gateways['eu-west']!, password);
    log(
      `backfill: ${images.length} images, ${(pushedBytes / mib).toFixed(0)} MiB in ${seconds.toFixed(1)} s from eu-west's backfill pass start: ` +
        `${(images.length / seconds).toFixed(1)} items/s, ${(pushedBytes / mib / seconds).toFixed(0)} MiB/s ` +
        `(restart to ready ${((readyAt - relaunchedAt) / 1000).toFixed(1)} s)`,
    );
    log(`  eu-west's anti-entropy with us-east: ${JSON.stringify(status)}`);
  } finally {
    await stop(replicating);
  }

  const source = join(dataDir, 'us-east', 'store', 'blobs');
  const target = join(dataDir, 'copy-reference');
  const started = performance.now();
  await run('cp', ['-r', source, target]);
  await run('sync', []);
  const seconds = (performance.now() - started) / 1000;
  log(
    `store's own copy: cp -r of us-east's blobs (${(pushedBytes / mib).toFixed(0)} MiB) + sync in ${seconds.toFixed(1)} s: ${(pushedBytes / mib / seconds).toFixed(0)} MiB/s`,
  );
}

/** When eu-west's backfill pass with us-east started (its replication service's first pass). */
async function backfillStart(gateway: string, password: string): Promise<Date> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const antiEntropy = await replicationRegions(gateway, password).catch(() => undefined);
    if (antiEntropy?.passStartedAt) return new Date(antiEntropy.passStartedAt);
    if (Date.now() > deadline) throw new Error("eu-west's backfill pass did not start in 120 s");
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

interface AntiEntropyStatus {
  state?: string;
  mode?: string;
  passStartedAt?: string;
  repositoriesCompared?: number;
  repaired?: number;
}

async function replicationRegions(gateway: string, password: string): Promise<AntiEntropyStatus> {
  const response = await fetch(new URL('/api/v1/replication/regions', gateway), {
    headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
  });
  if (response.status !== 200) throw new Error(`regions: ${response.status}`);
  const body = (await response.json()) as {
    peers: Array<{ region: string; antiEntropy?: AntiEntropyStatus }>;
  };
  const { state, mode, passStartedAt, repositoriesCompared, repaired } =
    body.peers.find((peer) => peer.region === 'us-east')?.antiEntropy ?? {};
  return { state, mode, passStartedAt, repositoriesCompared, repaired };
}

function imageManifest(
  config: { digest: string; size: number },
  layers: ReadonlyArray<{ digest: string; size: number }>,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layers.map((descriptor) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        ...descriptor,
      })),
    }),
  );
}

async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

interface StoreSpeed {
  write: number;
  read: number;
  /** `copyFrom` proving the digest (replication's copy) */
  copy: number;
  /** read, sha256 and put through this process (replication's copy before the in-kernel one) */
  streamed: number;
  /** this process's CPU seconds (user + system) per GiB copied, each way */
  copyCpu: number;
  streamedCpu: number;
}

function cpuSecondsPerGib(used: NodeJS.CpuUsage, rounds: number): number {
  return (used.user + used.system) / 1e6 / ((rounds * layerBytes) / (1024 * mib));
}

async function reportStoreSpeed(dataDir: string): Promise<StoreSpeed> {
  const store = await storeSpeed(dataDir);
  log(
    `store (filesystem driver, same disk, ${storeMib} MiB), MiB/s: write ${store.write.toFixed(0)}, read ${store.read.toFixed(0)}, ` +
      `copyFrom verified ${store.copy.toFixed(0)} (${store.copyCpu.toFixed(1)} CPU s/GiB), ` +
      `streamed read+sha256+put ${store.streamed.toFixed(0)} (${store.streamedCpu.toFixed(1)} CPU s/GiB)`,
  );
  return store;
}

/** Write, read and store-to-store copies of 16 MiB blobs with the filesystem driver. */
async function storeSpeed(dataDir: string): Promise<StoreSpeed> {
  const store = (name: string) =>
    new FilesystemStorageDriver({ rootDirectory: join(dataDir, 'speed', name) });
  const [source, copied, streamedTo] = [store('a'), store('b'), store('c')];
  await Promise.all([source.init(), copied.init(), streamedTo.init()]);
  const rounds = Math.max(1, Math.round((storeMib * mib) / layerBytes));
  const rate = (ms: number) => (rounds * layerBytes) / mib / (ms / 1000);

  const blobs: Array<{ key: string; digest: string }> = [];
  let writing = 0;
  for (let round = 0; round < rounds; round++) {
    const bytes = randomBytes(layerBytes);
    const digest = sha256(bytes);
    const started = performance.now();
    await source.put(blobKey(digest), bytes, bytes.length);
    writing += performance.now() - started;
    blobs.push({ key: blobKey(digest), digest });
  }
  const write = rate(writing);
  let started = performance.now();
  for (const { key } of blobs) for await (const _chunk of await source.read(key));
  const read = rate(performance.now() - started);
  started = performance.now();
  let cpu = process.cpuUsage();
  for (const { key, digest } of blobs)
    await copied.copyFrom(source, key, key, { expected: { digest, size: layerBytes } });
  const copy = rate(performance.now() - started);
  const copyCpu = cpuSecondsPerGib(process.cpuUsage(cpu), rounds);
  started = performance.now();
  cpu = process.cpuUsage();
  for (const { key, digest } of blobs) {
    const bytes = await source.read(key);
    const verified = verifyDigest({ digest, size: layerBytes });
    bytes.on('error', (error) => verified.destroy(error));
    await streamedTo.put(key, bytes.pipe(verified), layerBytes);
  }
  const streamed = rate(performance.now() - started);
  const streamedCpu = cpuSecondsPerGib(process.cpuUsage(cpu), rounds);
  await rm(join(dataDir, 'speed'), { recursive: true, force: true });
  return { write, read, copy, streamed, copyCpu, streamedCpu };
}

async function waitForFile(path: string, size: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const found = await stat(path).catch(() => undefined);
    if (found?.size === size) return;
    if (Date.now() > deadline) throw new Error(`${path} did not appear in 120 s`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 2));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(0)}, p99 ${percentile(values, 99).toFixed(0)}, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)} (n=${values.length})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
