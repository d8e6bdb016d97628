#!/usr/bin/env node
/**
 * `npm run bench:load`: many clients at once against the embedded default (two regions):
 * BENCH_PUSHERS (64) pushers and BENCH_PULLERS (256) pullers for BENCH_SECONDS (60), half of
 * each on us-east and half on eu-west. Then checks that nothing was lost: every image a
 * pusher was told was stored pulls, with the same digest, in both regions.
 *
 * - A pusher pushes images of its own repository in a loop: a config and one layer of
 *   BENCH_LAYER_KIB (256) random KiB, each a monolithic upload, then the manifest by tag.
 * - A puller pulls one of BENCH_SEED_IMAGES (16) images seeded before the clock starts (and
 *   replicated to both regions): the manifest by tag, then its blobs, read to the end.
 * Reported: operations, errors (by kind, with the first messages), latencies p50/p99/max per
 * kind, pushed and pulled MB/s, and the check's result.
 * Environment: BENCH_PUSHERS, BENCH_PULLERS, BENCH_SECONDS, BENCH_LAYER_KIB, BENCH_SEED_IMAGES,
 * BENCH_CONVERGE_SECONDS (180: how long the check waits for replication), BENCH_KEEP=1.
 * Figures: docs/benchmarks.md, "Many clients".
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, launch, log, percentile, sha256 } from './bench-support';

const pusherCount = Number(process.env['BENCH_PUSHERS'] ?? 64);
const pullerCount = Number(process.env['BENCH_PULLERS'] ?? 256);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 60);
const layerBytes = Number(process.env['BENCH_LAYER_KIB'] ?? 256) * 1024;
const seedImages = Number(process.env['BENCH_SEED_IMAGES'] ?? 16);
const convergeSeconds = Number(process.env['BENCH_CONVERGE_SECONDS'] ?? 180);
const regionNames = ['us-east', 'eu-west'] as const;

interface Image {
  repository: string;
  tag: string;
  digest: string;
  blobs: string[];
}

type Operation = 'blob push' | 'manifest put' | 'manifest get' | 'blob get';

class Recorder {
  readonly latencies = new Map<Operation, number[]>();
  readonly errors = new Map<Operation, string[]>();
  bytesPushed = 0;
  bytesPulled = 0;

  async time<T>(operation: Operation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.list(this.latencies, operation).push(performance.now() - started);
      return result;
    } catch (error) {
      this.list(this.errors, operation).push((error as Error).message.slice(0, 200));
      throw error;
    }
  }

  private list<V>(map: Map<Operation, V[]>, operation: Operation): V[] {
    let list = map.get(operation);
    if (!list) map.set(operation, (list = []));
    return list;
  }
}

function imageOf(
  config: { digest: string; size: number },
  layer: { digest: string; size: number },
) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
}

/** One image of random bytes pushed to `registry`, each step timed. */
async function pushImage(registry: Registry, tag: string, recorder: Recorder): Promise<Image> {
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag }));
  const layerBytesOf = randomBytes(layerBytes);
  const config = await recorder.time('blob push', () => registry.pushBlob(configBytes));
  const layer = await recorder.time('blob push', () => registry.pushBlob(layerBytesOf));
  const manifest = imageOf(config, layer);
  await recorder.time('manifest put', () => registry.putManifest(tag, manifest));
  recorder.bytesPushed += configBytes.length + layerBytesOf.length + manifest.length;
  return {
    repository: registry.repository,
    tag,
    digest: sha256(manifest),
    blobs: [config.digest, layer.digest],
  };
}

async function pullImage(registry: Registry, image: Image, recorder: Recorder): Promise<void> {
  const manifest = await recorder.time('manifest get', async () => {
    const response = await registry.get(`/v2/${image.repository}/manifests/${image.tag}`);
    return Buffer.from(await response.arrayBuffer());
  });
  if (sha256(manifest) !== image.digest) throw new Error(`${image.tag}: another manifest`);
  recorder.bytesPulled += manifest.length;
  for (const blob of image.blobs) {
    const bytes = await recorder.time('blob get', async () => {
      const response = await registry.get(`/v2/${image.repository}/blobs/${blob}`);
      return Buffer.from(await response.arrayBuffer());
    });
    if (sha256(bytes) !== blob) throw new Error(`${blob}: other bytes`);
    recorder.bytesPulled += bytes.length;
  }
}

/** Whether `image` pulls from `registry` with its digest and every blob readable. */
async function isWhole(registry: Registry, image: Image): Promise<boolean> {
  try {
    const response = await registry.get(`/v2/${image.repository}/manifests/${image.tag}`);
    if (sha256(Buffer.from(await response.arrayBuffer())) !== image.digest) return false;
    for (const blob of image.blobs)
      await registry.send('HEAD', `/v2/${image.repository}/blobs/${blob}`, 200);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-load-'));
  await chmod(dataDir, 0o700);
  const password = randomBytes(12).toString('hex');
  const launched = await launch(dataDir, password, {
    MERIDIAN_REGIONS: regionNames.join(','),
  });
  const regionUrl = (index: number) => launched.regions[regionNames[index % 2]!]!;
  try {
    log(`seeding ${seedImages} images of ${layerBytes / 1024} KiB layers in load/pulled`);
    const seedRecorder = new Recorder();
    const seeder = new Registry(regionUrl(0), 'admin', password, 'load/pulled');
    const seeded: Image[] = [];
    for (let i = 0; i < seedImages; i++)
      seeded.push(await pushImage(seeder, `s${i}`, seedRecorder));
    const pullFrom = regionNames.map(
      (_, index) => new Registry(regionUrl(index), 'admin', password, 'load/pulled'),
    );
    await waitForAll(pullFrom[1]!, seeded, convergeSeconds);

    log(`${pusherCount} pushers and ${pullerCount} pullers for ${seconds} s`);
    const recorder = new Recorder();
    const pushed: Array<Image & { region: number }> = [];
    const deadline = Date.now() + seconds * 1000;
    const pushers = Array.from({ length: pusherCount }, async (_, index) => {
      const registry = new Registry(regionUrl(index), 'admin', password, `load/push-${index}`);
      for (let n = 0; Date.now() < deadline; n++) {
        try {
          pushed.push({ ...(await pushImage(registry, `t${n}`, recorder)), region: index % 2 });
        } catch {
          // counted by the recorder; the pusher goes on
        }
      }
    });
    const pullers = Array.from({ length: pullerCount }, async (_, index) => {
      const registry = pullFrom[index % 2]!;
      for (let n = index; Date.now() < deadline; n++) {
        await pullImage(registry, seeded[n % seeded.length]!, recorder).catch(() => undefined);
      }
    });
    const started = performance.now();
    await Promise.all([...pushers, ...pullers]);
    const elapsed = (performance.now() - started) / 1000;

    report(recorder, elapsed);
    log(`checking that the ${pushed.length} pushed images pull in both regions`);
    const registries = new Map<string, Registry>();
    const registryFor = (region: number, repository: string) => {
      const key = `${region}/${repository}`;
      if (!registries.has(key))
        registries.set(key, new Registry(regionUrl(region), 'admin', password, repository));
      return registries.get(key)!;
    };
    const checkStarted = performance.now();
    let missing = 0;
    for (const region of [0, 1]) {
      const byRepository = new Map<string, Image[]>();
      for (const image of pushed)
        byRepository.set(image.repository, [...(byRepository.get(image.repository) ?? []), image]);
      for (const [repository, images] of byRepository)
        missing += await waitForAll(registryFor(region, repository), images, convergeSeconds);
    }
    log(
      `check: ${pushed.length} images × 2 regions, ${missing} missing ` +
        `(${((performance.now() - checkStarted) / 1000).toFixed(1)} s)`,
    );
    if (missing > 0) process.exitCode = 1;
  } finally {
    launched.child.kill('SIGINT');
    await new Promise((done) => launched.child.once('exit', done));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
  }
}

/** Waits until every image is whole in `registry`; how many were still not at the deadline. */
async function waitForAll(registry: Registry, images: Image[], seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let pending = images;
  for (;;) {
    const results = await Promise.all(pending.map((image) => isWhole(registry, image)));
    pending = pending.filter((_, index) => !results[index]);
    if (pending.length === 0 || Date.now() > deadline) return pending.length;
    await new Promise((done) => setTimeout(done, 500));
  }
}

function report(recorder: Recorder, elapsed: number): void {
  const ms = (value: number) => value.toFixed(1);
  log(`| operation | count | errors | p50 ms | p99 ms | max ms |`);
  log(`| --- | --- | --- | --- | --- | --- |`);
  for (const operation of ['blob push', 'manifest put', 'manifest get', 'blob get'] as const) {
    const latencies = recorder.latencies.get(operation) ?? [];
    const errors = recorder.errors.get(operation) ?? [];
    log(
      `| ${operation} | ${latencies.length} | ${errors.length} | ${ms(percentile(latencies, 50))} | ` +
        `${ms(percentile(latencies, 99))} | ${ms(Math.max(...latencies))} |`,
    );
    for (const message of new Set(errors.slice(0, 20))) log(`  ${operation} error: ${message}`);
  }
  const mb = (bytes: number) => (bytes / 1e6 / elapsed).toFixed(1);
  log(`pushed ${mb(recorder.bytesPushed)} MB/s, pulled ${mb(recorder.bytesPulled)} MB/s`);
  const errors = [...recorder.errors.values()].reduce((sum, list) => sum + list.length, 0);
  if (errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
