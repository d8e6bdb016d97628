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
 *      copying (`copyFrom`, what replication does between two filesystem stores) 16 MiB
 *      blobs.
 * Environment: BENCH_IMAGES (20), BENCH_COPY_BLOBS (10), BENCH_KEEP=1 keeps the data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { eventSubject, replicationCompleted } from '@meridian/contracts';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { connect } from '@nats-io/transport-node';
import { observerConnectOptions } from '../apps/dev/src/nats-credentials';
import { freePortPair } from '@meridian/testing';

const root = resolve(__dirname, '..');
const mib = 1024 * 1024;
const layerBytes = 16 * mib;
const layersPerImage = 3;
const images = Number(process.env['BENCH_IMAGES'] ?? 20);
const copyBlobs = Number(process.env['BENCH_COPY_BLOBS'] ?? 10);
const log = (line: string) => console.log(`[bench] ${line}`);

interface Launched {
  child: ChildProcess;
  gateways: Record<string, string>;
  nats: Record<string, string>;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-replication-'));
  await chmod(dataDir, 0o755);
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

    const store = await storeSpeed(dataDir);
    log(
      `store (filesystem driver, same disk), MiB/s: write ${store.write.toFixed(0)}, read ${store.read.toFixed(0)}, copyFrom ${store.copy.toFixed(0)}`,
    );
    log(
      `replication copy / store copyFrom (medians): ${(median(copyRates) / store.copy).toFixed(2)}`,
    );
    await nats.close();
  } finally {
    launched.child.kill('SIGTERM');
    await new Promise((resolveExit) => launched.child.once('exit', resolveExit));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  }
}

/** The launcher in the foreground, JSON logs; resolves with every gateway and nats URL. */
async function launch(dataDir: string, password: string): Promise<Launched> {
  const port = await freePortPair();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_REGIONS: 'us-east,eu-west',
    MERIDIAN_LOG_FORMAT: 'json',
    MERIDIAN_LOG_LEVEL: 'warn',
    MERIDIAN_ADMIN_PASSWORD: password,
  };
  for (const key of ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'])
    delete env[key];
  log(`starting two regions from port ${port} in ${dataDir}`);
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

/** Write, read and store-to-store copy of 16 MiB blobs with the filesystem driver. */
async function storeSpeed(dataDir: string): Promise<{ write: number; read: number; copy: number }> {
  const source = new FilesystemStorageDriver({ rootDirectory: join(dataDir, 'speed', 'a') });
  const target = new FilesystemStorageDriver({ rootDirectory: join(dataDir, 'speed', 'b') });
  await source.init();
  await target.init();
  const rounds = 8;
  const blobs = Array.from({ length: rounds }, () => randomBytes(layerBytes));
  const keys = blobs.map((bytes) => blobKey(sha256(bytes)));
  const rate = (ms: number) => (rounds * layerBytes) / mib / (ms / 1000);

  let started = performance.now();
  for (const [index, bytes] of blobs.entries()) await source.put(keys[index]!, bytes, bytes.length);
  const write = rate(performance.now() - started);
  started = performance.now();
  for (const key of keys) for await (const _chunk of await source.read(key));
  const read = rate(performance.now() - started);
  started = performance.now();
  for (const key of keys) await target.copyFrom(source, key, key);
  const copy = rate(performance.now() - started);
  return { write, read, copy };
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
