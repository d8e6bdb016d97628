#!/usr/bin/env node
/**
 * `npm run bench:acr-api`: how fast ACR's data-plane listings answer on a repository of
 * many tags (10,000 by default), the case `az acr repository show-tags --orderby time_desc`
 * meets on a busy CI repository.
 *
 * Starts the embedded default with one region in a temporary directory, seeds one
 * repository through the OCI API (one layer, then TAGS images with a config of their own,
 * each under its own tag, CONCURRENCY at a time), and measures, as a client sees them:
 *   1. `_tags?orderby=timedesc&n=100`, the first page (ROUNDS requests);
 *   2. paging through every tag by time, following the `Link` headers (each page timed),
 *      then every manifest the same way: the first read of each image's config;
 *   3. `_tags?n=100` by name, the first page;
 *   4. `_manifests?n=100` by digest and `_manifests?orderby=timedesc&n=100`, first pages;
 *   5. `_tags/{tag}` and `_manifests/{digest}` of one item.
 * p50 and p99 of each, in milliseconds.
 * Environment: BENCH_TAGS (10000), BENCH_CONCURRENCY (16), BENCH_ROUNDS (200),
 * BENCH_KEEP=1 keeps the data dir.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, launch, log, sha256, summary } from './bench-support';

const tagCount = Number(process.env['BENCH_TAGS'] ?? 10_000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 200);
const repository = 'bench/acr-api';
const pageSize = 100;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-acr-api-'));
  await chmod(dataDir, 0o755);
  const password = randomBytes(18).toString('base64url');
  const launched = await launch(dataDir, password);
  const registry = new Registry(launched.gateway, 'admin', password, repository);
  try {
    log(`seeding ${repository}: ${tagCount} manifests, each under its own tag`);
    const started = performance.now();
    const digests = await seed(registry);
    const seconds = (performance.now() - started) / 1000;
    log(`  seeded in ${seconds.toFixed(1)} s (${(tagCount / seconds).toFixed(0)} manifests/s)`);

    const base = `/acr/v1/${repository}`;
    log(
      `1. ${base}/_tags?orderby=timedesc&n=${pageSize}, first page: ${await timeGets(registry, `${base}/_tags?orderby=timedesc&n=${pageSize}`)}`,
    );

    const pages: number[] = [];
    let next: string | undefined = `${base}/_tags?orderby=timedesc&n=${pageSize}`;
    let seen = 0;
    const walkStarted = performance.now();
    while (next !== undefined) {
      const at = performance.now();
      const response = await registry.get(next);
      const body = (await response.json()) as { tags: unknown[] };
      pages.push(performance.now() - at);
      seen += body.tags.length;
      const link = response.headers.get('link');
      next = link === null ? undefined : link.slice(1, link.indexOf('>'));
    }
    if (seen !== tagCount) throw new Error(`paging by time saw ${seen} tags, not ${tagCount}`);
    log(
      `2. every tag by time, ${pages.length} pages of ${pageSize}: ${summary(pages)}; all in ${(performance.now() - walkStarted).toFixed(0)} ms`,
    );
    const coldPages: number[] = [];
    next = `${base}/_manifests?orderby=timedesc&n=${pageSize}`;
    while (next !== undefined) {
      const at = performance.now();
      const response = await registry.get(next);
      await response.arrayBuffer();
      coldPages.push(performance.now() - at);
      const link = response.headers.get('link');
      next = link === null ? undefined : link.slice(1, link.indexOf('>'));
    }
    log(`   every manifest by time, each config read for the first time: ${summary(coldPages)}`);
    log(
      `3. ${base}/_tags?n=${pageSize} (by name), first page: ${await timeGets(registry, `${base}/_tags?n=${pageSize}`)}`,
    );
    log(
      `4. ${base}/_manifests?n=${pageSize}, first page: ${await timeGets(registry, `${base}/_manifests?n=${pageSize}`)}`,
    );
    log(
      `   ${base}/_manifests?orderby=timedesc&n=${pageSize}, first page: ${await timeGets(registry, `${base}/_manifests?orderby=timedesc&n=${pageSize}`)}`,
    );
    const middle = Math.floor(tagCount / 2);
    log(`5. ${base}/_tags/{tag}: ${await timeGets(registry, `${base}/_tags/${tagName(middle)}`)}`);
    log(
      `   ${base}/_manifests/{digest}: ${await timeGets(registry, `${base}/_manifests/${digests[middle]}`)}`,
    );
  } finally {
    launched.child.kill('SIGTERM');
    await new Promise((resolveExit) => launched.child.once('exit', resolveExit));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  }
}

/** The shared layer once, then each image's config and manifest, CONCURRENCY in flight. */
async function seed(registry: Registry): Promise<string[]> {
  const layer = await registry.pushBlob(randomBytes(4096));
  const digests: string[] = new Array(tagCount);
  let nextIndex = 0;
  let done = 0;
  const worker = async () => {
    for (let index = nextIndex++; index < tagCount; index = nextIndex++) {
      // a config of its own, as every build has: listings read each platform once
      const config = await registry.pushBlob(
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: index })),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
          annotations: { 'org.opencontainers.image.revision': String(index) },
        }),
      );
      digests[index] = sha256(manifest);
      await registry.putManifest(tagName(index), manifest);
      if (++done % 2000 === 0) log(`  ${done}/${tagCount}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return digests;
}

function tagName(index: number): string {
  return `build-${String(index).padStart(6, '0')}`;
}

async function timeGets(registry: Registry, path: string): Promise<string> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const at = performance.now();
    await (await registry.get(path)).arrayBuffer();
    times.push(performance.now() - at);
  }
  return summary(times);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
