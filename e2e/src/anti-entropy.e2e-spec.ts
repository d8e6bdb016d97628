/**
 * Anti-entropy and backfill on the embedded default (us-east and eu-west), with skopeo and
 * eu-west's own Postgres: a divergence planted straight into eu-west's database (a manifest
 * row and a tag row gone, as a lost event or a restored backup would leave them) is repaired
 * from us-east within a pass, with the identical digests and the repairs counted; and a delete
 * made in us-east while eu-west's replication service was stopped, its event gone from the
 * streams (a retention of seconds), still reaches eu-west once the service is back: the image
 * stays deleted there, and what was pushed meanwhile arrives.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { sha256Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { servicePids } from './support/service-processes';

interface RegionsStatus {
  region: string;
  peers: Array<{
    region: string;
    antiEntropy?: {
      state: string;
      mode: string;
      lastPassAt?: string;
      repositoriesCompared: number;
      repairs: Record<string, number>;
    };
  }>;
}

/** how long the streams keep an event here: the outage below outlasts it */
const retentionSeconds = 8;
const convergeTimeoutMs = 60_000;

describe('anti-entropy between two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let westSql: postgres.Sql;
  let built = 0;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-anti-entropy-'));
    meridian = await startGeoMeridian('anti-entropy', () => ({
      MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS: '2',
      MERIDIAN_ANTI_ENTROPY_RATE: '100',
      MERIDIAN_EVENT_RETENTION_SECONDS: String(retentionSeconds),
    }));
    westSql = postgres(await databaseUrl('eu-west'), { max: 2, onnotice: () => undefined });
  }, 360_000);

  afterAll(async () => {
    await westSql?.end({ timeout: 5 });
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("repairs a manifest and a tag removed from eu-west's database, with the same digests", async () => {
    const [first, second] = [await buildImage('drift-1'), await buildImage('drift-2')];
    await push(first, 'us-east', 'team/drift:v1');
    await push(second, 'us-east', 'team/drift:v2');
    await expectEventually(
      async () =>
        expect(await westTags('team/drift')).toEqual({
          v1: first.manifestDigest,
          v2: second.manifestDigest,
        }),
      { timeoutMs: convergeTimeoutMs, intervalMs: 200 },
    );
    const before = await repairs('eu-west');

    // what a lost event or a restored backup leaves: a manifest (and its tag) and a tag gone
    await westSql`
      delete from manifest.manifests
      where repository = 'team/drift' and digest = ${first.manifestDigest}`;
    await westSql`delete from manifest.tags where repository = 'team/drift' and name = 'v2'`;
    expect(await westTags('team/drift')).toEqual({});

    await expectEventually(
      async () =>
        expect(await westTags('team/drift')).toEqual({
          v1: first.manifestDigest,
          v2: second.manifestDigest,
        }),
      { timeoutMs: convergeTimeoutMs, intervalMs: 200 },
    );
    expect(sha256Digest(await inspectRaw('eu-west', 'team/drift:v1'))).toBe(first.manifestDigest);
    expect(sha256Digest(await inspectRaw('eu-west', 'team/drift:v2'))).toBe(second.manifestDigest);
    await pull('eu-west', `team/drift@${first.manifestDigest}`);

    const after = await repairs('eu-west');
    expect(after.manifest ?? 0).toBeGreaterThan(before.manifest ?? 0);
    expect(after.tag ?? 0).toBeGreaterThan(before.tag ?? 0);
    const { body } = await meridian.api<RegionsStatus>('eu-west', '/api/v1/replication/regions');
    const antiEntropy = body.peers.find((peer) => peer.region === 'us-east')?.antiEntropy;
    expect(antiEntropy?.lastPassAt).toBeDefined();
    expect(antiEntropy?.repositoriesCompared).toBeGreaterThan(0);
  });

  it('converges after an outage longer than the streams keep events: deleted stays deleted, pushes arrive', async () => {
    const [kept, deleted, meanwhile, after] = [
      await buildImage('outage-kept'),
      await buildImage('outage-deleted'),
      await buildImage('outage-meanwhile'),
      await buildImage('outage-after'),
    ];
    await push(kept, 'us-east', 'team/outage:kept');
    await push(deleted, 'us-east', 'team/outage:gone');
    await expectEventually(
      async () =>
        expect(Object.keys(await westTags('team/outage')).sort()).toEqual(['gone', 'kept']),
      { timeoutMs: convergeTimeoutMs, intervalMs: 200 },
    );

    const [replication] = await servicePids('replication', meridian.dataDir, 'eu-west');
    process.kill(replication!, 'SIGSTOP');
    try {
      await meridian.regions['us-east'].client.expect(
        'DELETE',
        `/v2/team/outage/manifests/${deleted.manifestDigest}`,
        [202],
      );
      await push(meanwhile, 'us-east', 'team/outage:meanwhile');
      // the events of the delete and the push expire from every stream while eu-west is away:
      // only time passing makes that happen, so this waits for it
      await sleep((retentionSeconds + 4) * 1000);
    } finally {
      // the stopped process never runs again (what its NATS connection buffered meanwhile
      // dies with it): the launcher starts a new one, which starts from the durable
      // consumer's position, past events the streams no longer hold
      process.kill(replication!, 'SIGKILL');
    }
    await expectEventually(
      async () => {
        const now = await servicePids('replication', meridian.dataDir, 'eu-west');
        expect(now).toHaveLength(1);
        expect(now).not.toContain(replication);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    await expectEventually(
      async () =>
        expect(await westTags('team/outage')).toEqual({
          kept: kept.manifestDigest,
          meanwhile: meanwhile.manifestDigest,
        }),
      { timeoutMs: convergeTimeoutMs, intervalMs: 200 },
    );
    expect(await westManifests('team/outage')).not.toContain(deleted.manifestDigest);
    await meridian.regions['eu-west'].client.expect(
      'GET',
      `/v2/team/outage/manifests/${deleted.manifestDigest}`,
      [404],
      { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } },
    );
    await pull('eu-west', `team/outage@${meanwhile.manifestDigest}`);

    await push(after, 'us-east', 'team/outage:after');
    await expectEventually(
      async () => expect((await westTags('team/outage')).after).toBe(after.manifestDigest),
      { timeoutMs: convergeTimeoutMs, intervalMs: 200 },
    );
    await pull('eu-west', 'team/outage:after');
    const repaired = await repairs('eu-west');
    expect(repaired['manifest-delete'] ?? 0).toBeGreaterThanOrEqual(1);
  });

  /** An image of two layers no other image of this file shares. */
  function buildImage(name: string): Promise<OciLayoutImage> {
    built += 1;
    return buildOciImage(join(work, `${name}-${built}`), {
      tag: 'v1',
      layers: Array.from({ length: 2 }, (_, index) => ({
        files: { [`layer-${index}/data`]: `${name} ${built} layer ${index}\n`.repeat(2048) },
      })),
    });
  }

  function docker(region: GeoRegionId, reference: string): string {
    return `docker://${meridian.regions[region].host}/${reference}`;
  }

  function skopeo(args: readonly string[]) {
    return runCommand('skopeo', ['--insecure-policy', ...args]).catch((error: Error) => {
      throw new Error(`${error.message}\n${meridian.describeOutput()}`);
    });
  }

  async function push(image: OciLayoutImage, region: GeoRegionId, reference: string) {
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      docker(region, reference),
    ]);
  }

  async function inspectRaw(region: GeoRegionId, reference: string): Promise<Buffer> {
    const result = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      meridian.creds,
      '--raw',
      docker(region, reference),
    ]);
    return result.stdoutBytes;
  }

  /** Pulls the whole image (every blob, read and verified) into a fresh OCI layout. */
  async function pull(region: GeoRegionId, reference: string): Promise<void> {
    const dir = await mkdtemp(join(work, 'pulled-'));
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      docker(region, reference),
      `oci:${dir}:pulled`,
    ]);
  }

  /** eu-west's tags of `repository` as its database holds them (no peer fallback). */
  async function westTags(repository: string): Promise<Record<string, string>> {
    const rows = await westSql<{ name: string; digest: string }[]>`
      select name, digest from manifest.tags where repository = ${repository}`;
    return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
  }

  async function westManifests(repository: string): Promise<string[]> {
    const rows = await westSql<{ digest: string }[]>`
      select digest from manifest.manifests where repository = ${repository}`;
    return rows.map((row) => row.digest);
  }

  /** `meridian_replication_repairs_total` of `region` from us-east's peer, by kind. */
  async function repairs(region: GeoRegionId): Promise<Record<string, number>> {
    const client = meridian.regions[region].client;
    const response = await fetch(client.url('/api/v1/replication/metrics'), {
      headers: { authorization: client.basicAuthorization },
      signal: AbortSignal.timeout(30_000),
    });
    expect(response.status).toBe(200);
    const counts: Record<string, number> = {};
    for (const match of (await response.text()).matchAll(
      /^meridian_replication_repairs_total\{[^}]*peer="us-east",kind="([^"]+)"\} (\d+)$/gm,
    ))
      counts[match[1]!] = Number(match[2]);
    return counts;
  }

  /** The region's DATABASE_URL, as the launcher gave it to the region's manifest service. */
  async function databaseUrl(region: GeoRegionId): Promise<string> {
    const [pid] = await servicePids('manifest', meridian.dataDir, region);
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    const url = environ
      .split('\0')
      .find((entry) => entry.startsWith('DATABASE_URL='))
      ?.slice('DATABASE_URL='.length);
    if (!url) throw new Error(`no DATABASE_URL in ${region}'s manifest service`);
    return url;
  }
});
