#!/usr/bin/env node
/**
 * `npm run bench:import`: how fast `meridian import` brings an image in from another
 * registry, against `skopeo copy` of the same kind of image between the same two registries.
 *
 * Starts CNCF distribution (`docker-registry`, no auth, filesystem store) and the embedded
 * default (two regions, as `npm start`) in temporary directories, with distribution listed as
 * an allowed plain-HTTP upstream. Then, RUNS times, alternating which goes first:
 *   - pushes a fresh image of 3 × 64 MiB random layers to distribution (fresh, so neither
 *     side finds a blob it has already: Meridian would mount it);
 *   - `POST /api/v1/imports` into us-east, timed from the POST to the job's `succeeded`
 *     (polled every 50 ms);
 *   - another fresh image, `skopeo copy docker://distribution/… docker://us-east/…`, timed
 *     around the process.
 * And the pull-through cache, with a cache rule making `cached/*` of us-east a cache of
 * distribution's `bench/*`, each run with fresh images again:
 *   - `skopeo copy docker://us-east/cached/… dir:…`: the first pull through the cache (the
 *     gateway streams each blob from distribution to skopeo while storing it), timed around
 *     the process;
 *   - `skopeo copy docker://distribution/… dir:…`: the same pull straight from distribution.
 * MB/s is the image's bytes (layers and config) over the time. Environment: BENCH_RUNS (3),
 * BENCH_LAYER_MIB (64), BENCH_KEEP=1 keeps the data directory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DistributionRegistry, freePortPair } from '@meridian/testing';

const root = resolve(__dirname, '..');
const mib = 1024 * 1024;
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const layerBytes = Number(process.env['BENCH_LAYER_MIB'] ?? 64) * mib;
const layers = 3;
const log = (line: string) => console.log(`[bench] ${line}`);
const tools = ['import', 'skopeo', 'cache', 'direct'] as const;
type Tool = (typeof tools)[number];

async function main(): Promise<void> {
  const upstream = await DistributionRegistry.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-import-'));
  await chmod(dataDir, 0o755);
  const password = randomBytes(18).toString('base64url');
  const { child, gateway } = await launch(dataDir, password, upstream.host);
  const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  const results: Record<Tool, number[]> = { import: [], skopeo: [], cache: [], direct: [] };
  const pulled = join(dataDir, 'pulled');
  try {
    await createCacheRule(gateway, auth, upstream.host);
    for (let run = 0; run < runs; run++) {
      const order: Tool[] =
        run % 2 === 0
          ? ['import', 'skopeo', 'cache', 'direct']
          : ['direct', 'cache', 'skopeo', 'import'];
      for (const tool of order) {
        const repository = `bench/${tool}-${run}`;
        const bytes = await pushImage(upstream, repository);
        await rm(pulled, { recursive: true, force: true });
        const ms =
          tool === 'import'
            ? await timeImport(gateway, auth, `${upstream.host}/${repository}:1`, `${repository}:1`)
            : tool === 'skopeo'
              ? timeSkopeo(
                  [
                    `docker://${upstream.host}/${repository}:1`,
                    `docker://${gateway}/${repository}:1`,
                  ],
                  ['--dest-creds', `admin:${password}`],
                )
              : tool === 'cache'
                ? timeSkopeo(
                    [`docker://${gateway}/cached/${tool}-${run}:1`, `dir:${pulled}`],
                    ['--src-creds', `admin:${password}`],
                  )
                : timeSkopeo([`docker://${upstream.host}/${repository}:1`, `dir:${pulled}`], []);
        const rate = bytes / mib / (ms / 1000);
        results[tool].push(rate);
        log(
          `${tool} run ${run + 1}: ${(bytes / mib).toFixed(0)} MiB in ${ms.toFixed(0)} ms = ${rate.toFixed(1)} MiB/s`,
        );
      }
    }
    for (const tool of tools) {
      const sorted = [...results[tool]].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      log(
        `${tool}: median ${median.toFixed(1)} MiB/s (min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)})`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    await upstream.dispose();
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
  }
}

/** Pushes config + 3 random layers; answers the image's blob bytes. */
async function pushImage(upstream: DistributionRegistry, repository: string): Promise<number> {
  const client = upstream.client;
  const config = await client.pushBlob(
    repository,
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
    'application/vnd.oci.image.config.v1+json',
  );
  const pushed = [];
  for (let i = 0; i < layers; i++)
    pushed.push(
      await client.pushBlob(
        repository,
        randomBytes(layerBytes),
        'application/vnd.oci.image.layer.v1.tar+gzip',
      ),
    );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: pushed,
    }),
  );
  await client.putManifest(repository, '1', manifest, 'application/vnd.oci.image.manifest.v1+json');
  return config.size + pushed.reduce((sum, layer) => sum + layer.size, 0);
}

async function timeImport(
  gateway: string,
  auth: string,
  source: string,
  target: string,
): Promise<number> {
  const started = performance.now();
  const response = await fetch(`http://${gateway}/api/v1/imports`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ source, target }),
  });
  if (response.status !== 202)
    throw new Error(`import refused: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  for (;;) {
    const job = (await (
      await fetch(`http://${gateway}/api/v1/imports/${id}`, { headers: { authorization: auth } })
    ).json()) as { state: string; error?: { message: string } };
    if (job.state === 'succeeded') return performance.now() - started;
    if (job.state === 'failed') throw new Error(`import failed: ${job.error?.message}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Times one `skopeo copy` of `[source, destination]`, with the credentials flags given. */
function timeSkopeo(references: [string, string], credentials: string[]): number {
  const started = performance.now();
  const copied = spawnSync(
    'skopeo',
    [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...credentials,
      ...references,
    ],
    { encoding: 'utf8' },
  );
  if (copied.status !== 0) throw new Error(`skopeo copy failed: ${copied.stderr}`);
  return performance.now() - started;
}

/** `cached/*` of us-east becomes a pull-through cache of distribution's `bench/*`. */
async function createCacheRule(gateway: string, auth: string, upstreamHost: string): Promise<void> {
  const response = await fetch(`http://${gateway}/api/v1/cache-rules/bench`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ source: `${upstreamHost}/bench/*`, target: 'cached/*' }),
  });
  if (response.status !== 201)
    throw new Error(`cache rule refused: ${response.status} ${await response.text()}`);
}

async function launch(
  dataDir: string,
  password: string,
  upstreamHost: string,
): Promise<{ child: ChildProcess; gateway: string }> {
  const port = await freePortPair();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_REGIONS: 'us-east,eu-west',
    MERIDIAN_LOG_FORMAT: 'json',
    MERIDIAN_LOG_LEVEL: 'warn',
    MERIDIAN_ADMIN_PASSWORD: password,
    MERIDIAN_INSECURE_UPSTREAMS: upstreamHost,
    MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '127.0.0.1',
  };
  for (const key of ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'])
    delete env[key];
  log(`starting two regions from port ${port} in ${dataDir}`);
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dev/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveLaunch, reject) => {
    const timer = setTimeout(() => reject(new Error('meridian was not ready in 240 s')), 240_000);
    child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: { msg?: string; regions?: Record<string, string> };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'meridian ready' && record.regions) {
        clearTimeout(timer);
        resolveLaunch({ child, gateway: new URL(record.regions['us-east']!).host });
      }
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
