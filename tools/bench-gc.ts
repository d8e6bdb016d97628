#!/usr/bin/env node
/**
 * `npm run bench:gc`: garbage collection over a registry of BENCH_BLOBS blobs (100,000) and
 * BENCH_MANIFESTS manifests (10,000), and what it costs the pushes running beside it.
 *
 * Starts the embedded default with one region in a temporary directory (no background
 * collection, no grace period), seeds it through the OCI API (each manifest a config and
 * layers of its own; a tenth of the blobs never referenced; a tenth of the manifests then
 * deleted, so their blobs are garbage too), and measures:
 *   1. push throughput of 1 MiB blobs (BENCH_PUSHERS at a time, BENCH_PUSH_SECONDS) with no
 *      collection running;
 *   2. a collection at the default pace (MERIDIAN_GC_BLOBS_PER_SECOND, BENCH_GC_PACE: 2000)
 *      while the same pushes run: their throughput, the collection's duration and what it
 *      freed, and the blob service's peak resident memory meanwhile (/proc, every 100 ms);
 *   3. push throughput again with no collection (so 1 and 3 bracket 2: the noise).
 * Before 1 it waits BENCH_SETTLE_SECONDS (60) for what seeding left running, then pushes one
 * uncounted round to warm up.
 * Environment: BENCH_BLOBS, BENCH_MANIFESTS, BENCH_CONCURRENCY (16), BENCH_PUSHERS (4),
 * BENCH_PUSH_SECONDS (20), BENCH_GC_PACE, BENCH_SETTLE_SECONDS, BENCH_KEEP=1 keeps the data dir.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, launch, log, sha256 } from './bench-support';

const blobCount = Number(process.env['BENCH_BLOBS'] ?? 100_000);
const manifestCount = Number(process.env['BENCH_MANIFESTS'] ?? 10_000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const pushers = Number(process.env['BENCH_PUSHERS'] ?? 4);
const pushSeconds = Number(process.env['BENCH_PUSH_SECONDS'] ?? 20);
const pace = Number(process.env['BENCH_GC_PACE'] ?? 2000);
const settleSeconds = Number(process.env['BENCH_SETTLE_SECONDS'] ?? 60);

interface GcJob {
  id: string;
  status: string;
  progress: { blobsExamined: number; blobsFreed: number; bytesFreed: number };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-gc-'));
  await chmod(dataDir, 0o755);
  const password = randomBytes(18).toString('base64url');
  const launched = await launch(dataDir, password, {
    MERIDIAN_GC_GRACE_HOURS: '0',
    MERIDIAN_GC_INTERVAL_MINUTES: '0',
    MERIDIAN_GC_BLOBS_PER_SECOND: String(pace),
  });
  const admin = { username: 'admin', password };
  try {
    const seeding = new Registry(launched.gateway, 'admin', password, 'bench/gc');
    log(`seeding ${manifestCount} manifests and ${blobCount} blobs, ${concurrency} at a time`);
    let started = performance.now();
    await seed(seeding);
    log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const pushing = new Registry(launched.gateway, 'admin', password, 'bench/gc-pushes');
    // what seeding left running (the outbox relaying 100,000 events, autovacuum) settles first,
    // and a push round warms the path up; neither is counted
    log(`settling ${settleSeconds} s, then a warm-up push round`);
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    await pushFor(pushing);
    const before = await pushFor(pushing);
    log(`1. push, no collection: ${before.toFixed(1)} MB/s`);

    const blobPid = servicePid(launched.child.pid!, 'blob');
    let peakKiB = 0;
    const sampler = setInterval(() => {
      void readFile(`/proc/${blobPid}/status`, 'utf8').then(
        (status) => {
          const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          peakKiB = Math.max(peakKiB, rss);
        },
        () => undefined,
      );
    }, 100);
    started = performance.now();
    const job = await api<GcJob>(launched.gateway, admin, 'POST', '/api/v1/gc', {});
    const during = pushFor(pushing);
    let finished: GcJob = job;
    while (finished.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 250));
      finished = await api<GcJob>(launched.gateway, admin, 'GET', `/api/v1/gc/${job.id}`);
    }
    const gcSeconds = (performance.now() - started) / 1000;
    const duringRate = await during;
    clearInterval(sampler);
    const p = finished.progress;
    log(
      `2. collection (${finished.status}, pace ${pace} blobs/s): ${gcSeconds.toFixed(1)} s, examined ${p.blobsExamined} blobs (${(p.blobsExamined / gcSeconds).toFixed(0)}/s), freed ${p.blobsFreed} (${(p.bytesFreed / 1e6).toFixed(1)} MB); blob service peak RSS ${(peakKiB / 1024).toFixed(0)} MiB`,
    );
    log(`   push while it ran: ${duringRate.toFixed(1)} MB/s`);
    const after = await pushFor(pushing);
    log(`3. push, no collection: ${after.toFixed(1)} MB/s`);
    log(`   during / without: ${(duringRate / ((before + after) / 2)).toFixed(2)}×`);
  } finally {
    launched.child.kill('SIGTERM');
    await new Promise((resolve) => launched.child.once('exit', resolve));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
  }
}

/** Manifests of a config and layers each, stray blobs, then a tenth of the manifests deleted. */
async function seed(registry: Registry): Promise<void> {
  const stray = Math.floor(blobCount / 10);
  const perManifest = Math.max(1, Math.floor((blobCount - stray) / manifestCount));
  const digests: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < manifestCount + stray; index = next++) {
      if (index >= manifestCount) {
        await registry.pushBlob(randomBytes(64));
        continue;
      }
      const blobs = [];
      for (let b = 0; b < perManifest; b++) blobs.push(await registry.pushBlob(randomBytes(64)));
      const [config, ...layers] = blobs;
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: layers.map((layer) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            ...layer,
          })),
        }),
      );
      await registry.putManifest(`m-${index}`, body);
      digests[index] = sha256(body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const doomed = digests.filter((_, index) => index % 10 === 0);
  next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < doomed.length; index = next++) {
        await registry.deleteManifest(doomed[index]!);
      }
    }),
  );
}

/** MB/s of 1 MiB blob pushes by `pushers` clients for `pushSeconds`. */
async function pushFor(registry: Registry): Promise<number> {
  const deadline = performance.now() + pushSeconds * 1000;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: pushers }, async () => {
      while (performance.now() < deadline) {
        const blob = randomBytes(1024 * 1024);
        await registry.pushBlob(blob);
        bytes += blob.length;
      }
    }),
  );
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

async function api<T>(
  gateway: string,
  admin: { username: string; password: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(new URL(path, gateway), {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The pid of the launcher's `service` process (a descendant whose command line names it). */
function servicePid(launcherPid: number, service: string): number {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const rows = table
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }));
  const descendants = new Set([launcherPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of rows) {
      if (descendants.has(row.ppid) && !descendants.has(row.pid)) {
        descendants.add(row.pid);
        grew = true;
      }
    }
  }
  const found = rows.find(
    (row) => descendants.has(row.pid) && row.args.includes(`apps/${service}/`),
  );
  if (!found) throw new Error(`no ${service} service process under the launcher`);
  return found.pid;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
