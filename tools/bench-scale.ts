#!/usr/bin/env node
/**
 * `npm run bench:scale`: the read paths users hit most, on a registry the size of a large
 * organisation's: BENCH_REPOSITORIES (10,000) repositories of BENCH_TAGS (20) tags each
 * (200,000 tags and manifests) and five blobs per image (1,000,000 blob links), in the
 * two-region default.
 *
 * Seeding: one template repository is pushed through the OCI API to us-east (BENCH_TAGS
 * images, each a config and four layers of its own) and replicated to eu-west; then, in each
 * region's database, every row the services keep for the template (the manifest service's
 * repositories, manifests, tags and their histories; the blob service's links) is copied to
 * the other repositories in set-based inserts, so the services' own triggers keep what they
 * derive (blob references, usage) as they do for pushes. Nothing is published: the copies are
 * the same in both regions already.
 *
 * Then BENCH_CONNECTIONS (32) connections of autocannon at once for BENCH_SECONDS (15) per
 * request kind, on us-east: `/v2/_catalog?n=100` at random positions, `tags/list?n=100` of
 * a random repository, a manifest GET by tag, and `/api/v1/replication/status` of a random image.
 * Reported: p50/p99/max per kind and errors; the resident memory of every service before
 * seeding, after seeding and after the requests; and the Postgres tables read by sequential
 * scans during the requests (a hot query without an index shows there).
 * Environment: BENCH_REPOSITORIES, BENCH_TAGS, BENCH_CONNECTIONS, BENCH_SECONDS,
 * BENCH_SAMPLE (200 repositories the requests pick from), BENCH_KEEP=1.
 * Figures: docs/benchmarks.md, "A registry of 10,000 repositories".
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@meridian/testing';
import postgres from 'postgres';
import { Registry, launch, log } from './bench-support';

const repositoryCount = Number(process.env['BENCH_REPOSITORIES'] ?? 10_000);
const tagsPerRepository = Number(process.env['BENCH_TAGS'] ?? 20);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 15);
const sampleSize = Number(process.env['BENCH_SAMPLE'] ?? 200);
const template = 'scale/r00000';
const regionNames = ['us-east', 'eu-west'] as const;

/** the name of repository `index`: `scale/r00042`, in catalog order */
const repositoryName = (index: number) => `scale/r${String(index).padStart(5, '0')}`;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-scale-'));
  await chmod(dataDir, 0o700);
  const password = randomBytes(12).toString('hex');
  const postgresPort = await freePort();
  const launched = await launch(dataDir, password, {
    MERIDIAN_REGIONS: regionNames.join(','),
    MERIDIAN_POSTGRES_PORT: String(postgresPort),
  });
  const databases = regionNames.map((region) =>
    postgres(`postgres://postgres@127.0.0.1:${postgresPort}/meridian_${region.replace('-', '_')}`, {
      max: 2,
      onnotice: () => undefined,
    }),
  );
  const usEast = launched.regions['us-east']!;
  try {
    const memory: Array<[string, Map<string, number>]> = [];
    memory.push(['idle, empty', servicesRss(launched.child.pid!)]);

    log(`pushing the template ${template}: ${tagsPerRepository} images of 5 blobs`);
    const templateRegistry = new Registry(usEast, 'admin', password, template);
    for (let tag = 0; tag < tagsPerRepository; tag++) {
      const blobs = [];
      for (let blob = 0; blob < 5; blob++)
        blobs.push(await templateRegistry.pushBlob(randomBytes(1024)));
      const [config, ...layers] = blobs;
      await templateRegistry.putManifest(
        `v${tag}`,
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
            layers: layers.map((layer) => ({
              mediaType: 'application/vnd.oci.image.layer.v1.tar',
              ...layer,
            })),
          }),
        ),
      );
    }
    const euWest = new Registry(launched.regions['eu-west']!, 'admin', password, template);
    for (const deadline = Date.now() + 180_000; ;) {
      const tags = await euWest
        .get(`/v2/${template}/tags/list`)
        .then((response) => response.json() as Promise<{ tags?: string[] }>)
        .catch(() => ({ tags: [] }));
      if ((tags.tags?.length ?? 0) === tagsPerRepository) break;
      if (Date.now() > deadline) throw new Error('the template did not reach eu-west in 180 s');
      await new Promise((done) => setTimeout(done, 500));
    }
    await new Promise((done) => setTimeout(done, 5_000)); // replication's last blob copies

    const seedStarted = performance.now();
    for (const [index, sql] of databases.entries()) {
      log(`copying the template to ${repositoryCount - 1} repositories in ${regionNames[index]}`);
      await seed(sql);
    }
    log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    memory.push(['idle, seeded', servicesRss(launched.child.pid!)]);

    const sample = Array.from({ length: sampleSize }, () =>
      repositoryName(Math.floor(Math.random() * repositoryCount)),
    );
    // a pull token per sampled repository, fetched before the clock starts, a few at a time
    const tokens = new Map<string, string>();
    const waiting = [...new Set(sample)];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let name = waiting.pop(); name; name = waiting.pop())
          tokens.set(name, await tokenFor(usEast, password, `repository:${name}:pull`));
      }),
    );
    const catalogToken = await tokenFor(usEast, password, 'registry:catalog:*');
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
    const anyTag = () => `v${Math.floor(Math.random() * tagsPerRepository)}`;
    const ofRepository = (path: (name: string) => string, accept?: string) => (): Target => {
      const name = pick(sample);
      return { path: path(name), token: tokens.get(name)!, accept };
    };

    const scansBefore = await sequentialScans(databases[0]!);
    const kinds: Array<[string, () => Target]> = [
      [
        'GET /v2/_catalog?n=100',
        () => ({
          path: `/v2/_catalog?n=100&last=${repositoryName(Math.floor(Math.random() * repositoryCount))}`,
          token: catalogToken,
        }),
      ],
      ['GET tags/list?n=100', ofRepository((name) => `/v2/${name}/tags/list?n=100`)],
      [
        'GET manifest by tag',
        ofRepository(
          (name) => `/v2/${name}/manifests/${anyTag()}`,
          'application/vnd.oci.image.manifest.v1+json',
        ),
      ],
      [
        'GET /api/v1/replication/status',
        () => ({
          path: `/api/v1/replication/status?repository=${pick(sample)}&reference=${anyTag()}`,
          token: catalogToken,
        }),
      ],
    ];
    log(
      `| request (${connections} connections, ${seconds} s each) | count | errors | p50 ms | p99 ms | max ms |`,
    );
    log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, next] of kinds) {
      const result = await load(usEast, next);
      log(
        `| ${name} | ${result.ok} | ${result.failed} | ${result.p50} | ${result.p99} | ${result.max} |`,
      );
      if (result.failed > 0) process.exitCode = 1;
    }
    memory.push(['after the requests', servicesRss(launched.child.pid!)]);
    const scansAfter = await sequentialScans(databases[0]!);

    log('resident memory (MiB) of each us-east/eu-west process:');
    for (const [moment, rss] of memory) {
      const total = [...rss.values()].reduce((sum, value) => sum + value, 0);
      log(
        `  ${moment}: total ${total.toFixed(0)}; ` +
          [...rss].map(([name, value]) => `${name} ${value.toFixed(0)}`).join(', '),
      );
    }
    log('rows read by sequential scans in us-east during the requests (tables over 1,000 rows):');
    let scanned = 0;
    for (const [table, rows] of scansAfter) {
      const read = rows - (scansBefore.get(table) ?? 0);
      if (read > 0) {
        log(`  ${table}: ${read}`);
        scanned++;
      }
    }
    if (scanned === 0) log('  none');
  } finally {
    await Promise.all(databases.map((sql) => sql.end()));
    launched.child.kill('SIGINT');
    await new Promise((done) => launched.child.once('exit', done));
    if (process.env['BENCH_KEEP'] !== '1') await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Copies every row of the template repository in each of these tables to the other
 * repositories, parents first; a column named `repository` (or `name` in `repositories`)
 * takes the copy's name, every other column its template value.
 */
async function seed(sql: postgres.Sql): Promise<void> {
  const tables: Array<[schema: string, table: string, key: string]> = [
    ['manifest', 'repositories', 'name'],
    ['manifest', 'manifests', 'repository'],
    ['manifest', 'tags', 'repository'],
    ['manifest', 'tag_writes', 'repository'],
    ['manifest', 'manifest_pushes', 'repository'],
    ['blob', 'repository_blobs', 'repository'],
  ];
  const batch = 1_000;
  for (const [schema, table, key] of tables) {
    const columns = (
      await sql<{ column_name: string }[]>`
        select column_name from information_schema.columns
        where table_schema = ${schema} and table_name = ${table} and is_generated = 'NEVER'
          and coalesce(column_default, '') not like 'nextval%'
        order by ordinal_position`
    ).map((row) => row.column_name);
    // identifiers from the catalog, numbers and the template's name as a parameter
    const values = columns.map((column) =>
      column === key ? `'scale/r' || lpad(n::text, 5, '0')` : `t.${quote(column)}`,
    );
    const started = performance.now();
    for (let from = 1; from < repositoryCount; from += batch) {
      const to = Math.min(repositoryCount - 1, from + batch - 1);
      await sql.unsafe(
        `insert into ${quote(schema)}.${quote(table)} (${columns.map(quote).join(', ')})
         select ${values.join(', ')}
         from ${quote(schema)}.${quote(table)} t, generate_series(${from}, ${to}) n
         where t.${quote(key)} = $1`,
        [template],
      );
    }
    log(`  ${schema}.${table}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  await sql`analyze`;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** One request of a kind: its path and query, the token it carries, what it accepts. */
interface Target {
  path: string;
  token: string;
  accept?: string;
}

/**
 * `connections` clients at once for `seconds`, each request a new `next()`, with autocannon,
 * the load generator of the comparison bench: a client of Node's `fetch` costs ~0.4 CPU-ms a
 * request, on the cores the registry runs on, and measured its own queueing as latency.
 */
async function load(
  baseUrl: string,
  next: () => Target,
): Promise<{ ok: number; failed: number; p50: number; p99: number; max: number }> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const target = next();
          return {
            ...request,
            path: target.path,
            headers: {
              ...request.headers,
              authorization: `Bearer ${target.token}`,
              ...(target.accept ? { accept: target.accept } : {}),
            },
          };
        },
      },
    ],
  });
  return {
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

async function tokenFor(baseUrl: string, password: string, scope: string): Promise<string> {
  const url = new URL('/oauth2/token', baseUrl);
  url.searchParams.set('service', 'meridian');
  url.searchParams.set('scope', scope);
  const response = await fetch(url, {
    headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
  });
  if (response.status !== 200) throw new Error(`token: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Rows read by sequential scans so far, per table of over 1,000 rows. */
async function sequentialScans(sql: postgres.Sql): Promise<Map<string, number>> {
  const rows = await sql<{ name: string; read: string }[]>`
    select schemaname || '.' || relname as name, seq_tup_read as read
    from pg_stat_user_tables where n_live_tup > 1000`;
  return new Map(rows.map((row) => [row.name, Number(row.read)]));
}

/** MiB resident per process under the launcher, named by its command line. */
function servicesRss(launcherPid: number): Map<string, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while being read
    }
  }
  const result = new Map<string, number>();
  const pending = [launcherPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    for (const [child, parent] of parents) if (parent === pid) pending.push(child);
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const region = /(?:^|\0)MERIDIAN_REGION=([^\0]+)/.exec(env)?.[1];
      const service = /apps\/(\w+)\/src\/main/.exec(command)?.[1];
      const name = service
        ? service === 'dev'
          ? 'launcher'
          : `${service}@${region ?? '?'}`
        : command.includes('postgres')
          ? 'postgres (shared memory counted per process)'
          : command.includes('nats-server')
            ? 'nats-servers'
            : 'other';
      result.set(name, (result.get(name) ?? 0) + rss);
    } catch {
      // ended while being read
    }
  }
  return result;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
