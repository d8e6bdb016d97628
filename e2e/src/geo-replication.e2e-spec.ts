/**
 * Geo-replication as users meet it, on the embedded default (`npm start`: us-east on one
 * port, eu-west on the next), with skopeo: an image, a multi-platform index and an
 * artifact with referrers pushed to us-east become ready in eu-west (the status API says
 * so) and pull from there with the same digests; a pull from eu-west right after the push
 * succeeds while eu-west catches up; eu-west cut off for a while converges once back;
 * with only the link between the regions down, both keep serving and converge after; with
 * the link a black hole (a partition NATS has not noticed), misses stay fast in both and
 * eu-west serves across it again within seconds of healing;
 * concurrent pushes of one tag in both regions end on one digest; a delete racing its own
 * replication does not come back; an image pushed by sha512 digests is served and replicated
 * like one pushed by sha256.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mediaTypes, sha256Digest, sha512Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  RegistryRequestError,
  buildOciImage,
  expectEventually,
  pushArtifact,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { LeafLinkProxy } from './support/leaf-link-proxy';
import { buildOciIndexLayout } from './support/oci-index-layout';

interface ReplicationStatus {
  repository: string;
  digest: string;
  regions: Array<{ region: string; state: string; since: string; lagMs?: number }>;
}

interface RegionsStatus {
  region: string;
  peers: Array<{ region: string; connected: boolean; eventsPending: number }>;
}

const replicationTimeoutMs = 90_000;

describe('geo-replication between two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let image: OciLayoutImage;
  let link: LeafLinkProxy | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-geo-'));
    meridian = await startGeoMeridian('geo-replication');
    image = await buildImage('image', 'v1', 3);
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    await link?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let built = 0;
  /** An image of `layers` layers whose content no other image of this file shares. */
  function buildImage(
    name: string,
    tag: string,
    layers: number,
    platform?: { os: string; architecture: string },
  ) {
    built += 1;
    return buildOciImage(join(work, `${name}-${built}`), {
      tag,
      platform,
      layers: Array.from({ length: layers }, (_, index) => ({
        files: { [`layer-${index}/data`]: `${name} ${built} layer ${index}\n`.repeat(4096) },
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

  async function push(source: string, region: GeoRegionId, reference: string, all = false) {
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      ...(all ? ['--all'] : []),
      source,
      docker(region, reference),
    ]);
  }

  /** The manifest as served, by skopeo (which hashes it against a digest reference). */
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
  async function pull(region: GeoRegionId, reference: string, all = false): Promise<void> {
    const dir = await mkdtemp(join(work, 'pulled-'));
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      ...(all ? ['--all'] : []),
      docker(region, reference),
      `oci:${dir}:pulled`,
    ]);
  }

  async function status(region: GeoRegionId, repository: string, reference: string) {
    const query = new URLSearchParams({ repository, reference });
    return meridian.api<ReplicationStatus>(region, `/api/v1/replication/status?${query}`);
  }

  /** Waits for the status API of us-east to say the image is ready in eu-west. */
  async function readyInEuWest(repository: string, reference: string): Promise<ReplicationStatus> {
    return expectEventually(
      async () => {
        const { status: code, body } = await status('us-east', repository, reference);
        expect(code).toBe(200);
        expect(body.regions.find((entry) => entry.region === 'eu-west')?.state).toBe('ready');
        return body;
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 200 },
    );
  }

  async function digestOfTag(region: GeoRegionId, repository: string, tag: string) {
    return sha256Digest(await inspectRaw(region, `${repository}:${tag}`));
  }

  it('replicates a multi-layer image: ready in eu-west, pulled there by tag and digest with the same digest', async () => {
    await push(image.reference, 'us-east', 'team/app:v1');
    const ready = await readyInEuWest('team/app', 'v1');
    expect(ready.digest).toBe(image.manifestDigest);
    expect(ready.regions.map((entry) => entry.region).sort()).toEqual(['eu-west', 'us-east']);
    expect(ready.regions.every((entry) => entry.state === 'ready')).toBe(true);

    expect(sha256Digest(await inspectRaw('eu-west', 'team/app:v1'))).toBe(image.manifestDigest);
    expect(await inspectRaw('eu-west', `team/app@${image.manifestDigest}`)).toEqual(
      image.manifestBytes,
    );
    await pull('eu-west', 'team/app:v1');
    await pull('eu-west', `team/app@${image.manifestDigest}`);
    // eu-west's own status API tells the same
    const fromEuWest = await status('eu-west', 'team/app', image.manifestDigest);
    expect(fromEuWest.body.regions.find((entry) => entry.region === 'eu-west')?.state).toBe(
      'ready',
    );
  });

  it("tells each region's peer links, as JSON and as Prometheus metrics", async () => {
    const { status: code, body } = await meridian.api<RegionsStatus>(
      'eu-west',
      '/api/v1/replication/regions',
    );
    expect(code).toBe(200);
    expect(body).toMatchObject({
      region: 'eu-west',
      peers: [expect.objectContaining({ region: 'us-east', connected: true })],
    });
    const client = meridian.regions['eu-west'].client;
    const metrics = await fetch(client.url('/api/v1/replication/metrics'), {
      headers: { authorization: client.basicAuthorization },
    });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain(
      'meridian_replication_peer_connected{region="eu-west",peer="us-east"} 1',
    );
  });

  it('replicates a multi-platform index with every child', async () => {
    const platforms = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ];
    const children = [];
    for (const platform of platforms)
      children.push({
        image: await buildImage(`multi-${platform.architecture}`, 'v1', 2, platform),
        platform,
      });
    const index = await buildOciIndexLayout(join(work, 'index'), 'v1', children);
    await push(index.reference, 'us-east', 'team/multi:v1', true);

    const ready = await readyInEuWest('team/multi', 'v1');
    expect(ready.digest).toBe(index.manifestDigest);
    expect(await inspectRaw('eu-west', 'team/multi:v1')).toEqual(index.manifestBytes);
    await pull('eu-west', `team/multi@${index.manifestDigest}`, true);
  });

  it('replicates an artifact with its subject, so eu-west lists it as a referrer', async () => {
    const east = meridian.regions['us-east'].client;
    const subject = {
      mediaType: image.mediaType,
      digest: image.manifestDigest,
      size: image.manifestBytes.length,
    };
    const sbom = await pushArtifact(east, {
      repository: 'team/app',
      artifactType: 'application/spdx+json',
      subject,
      blobs: [{ mediaType: 'application/spdx+json', content: '{"spdxVersion":"SPDX-2.3"}' }],
    });
    await readyInEuWest('team/app', sbom.digest);
    const referrers = (await (
      await meridian.regions['eu-west'].client.referrers('team/app', image.manifestDigest)
    ).json()) as { manifests: Array<{ digest: string; artifactType?: string }> };
    expect(referrers.manifests).toEqual([
      expect.objectContaining({ digest: sbom.digest, artifactType: 'application/spdx+json' }),
    ]);
  });

  it('serves and replicates an image pushed over HTTP by sha512 digests, blobs and manifest', async () => {
    // skopeo 1.9 cannot push sha512 digests: the requests are made as a client that does would
    const east = meridian.regions['us-east'].client;
    const west = meridian.regions['eu-west'].client;
    const repository = 'team/sha512';
    const config = await east.pushBlob(
      repository,
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
      mediaTypes.ociConfig,
      'sha512',
    );
    const layer = await east.pushBlob(
      repository,
      randomBytes(512 * 1024),
      mediaTypes.ociLayerTar,
      'sha512',
    );
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        config,
        layers: [layer],
      }),
    );
    const digest = sha512Digest(body);
    const put = await east.putManifest(repository, digest, body, mediaTypes.ociManifest);
    expect(put.headers.get('docker-content-digest')).toBe(digest);

    // no waiting: eu-west answers from us-east until it has its own copy
    const served = await west.getManifest(repository, digest, [mediaTypes.ociManifest]);
    expect(served.bytes).toEqual(body);
    expect(served.digestHeader).toBe(digest);
    const early = await west.expect('GET', `/v2/${repository}/blobs/${layer.digest}`, [200]);
    expect(sha512Digest(Buffer.from(await early.arrayBuffer()))).toBe(layer.digest);

    await readyInEuWest(repository, digest);
    const copied = await west.expect('GET', `/v2/${repository}/blobs/${layer.digest}`, [200]);
    expect(copied.headers.get('docker-content-digest')).toBe(layer.digest);
    expect(sha512Digest(Buffer.from(await copied.arrayBuffer()))).toBe(layer.digest);
  });

  it('serves a pull in eu-west right after the push to us-east, while eu-west catches up', async () => {
    const fresh = await buildImage('fresh', 'v1', 3);
    await push(fresh.reference, 'us-east', 'team/fresh:v1');
    // no waiting: eu-west may not have a byte of it yet
    expect(sha256Digest(await inspectRaw('eu-west', 'team/fresh:v1'))).toBe(fresh.manifestDigest);
    await pull('eu-west', `team/fresh@${fresh.manifestDigest}`);
    await readyInEuWest('team/fresh', 'v1');
  });

  it("keeps us-east serving while eu-west's broker is frozen, and converges when it is back", async () => {
    const pid = await meridian.natsPid('eu-west');
    const during = await buildImage('during-outage', 'v1', 2);
    process.kill(pid, 'SIGSTOP');
    try {
      await push(during.reference, 'us-east', 'team/outage:v1');
      await pull('us-east', 'team/outage:v1');
      const { body } = await status('us-east', 'team/outage', 'v1');
      expect(body.regions.find((entry) => entry.region === 'eu-west')?.state).toBe('pending');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await readyInEuWest('team/outage', 'v1');
    await pull('eu-west', `team/outage@${during.manifestDigest}`);
  });

  it('keeps both regions serving pushes and pulls while the link between them is down, then converges', async () => {
    link ??= await LeafLinkProxy.insert(meridian.dataDir);
    try {
      const [east, west] = await Promise.all([
        buildImage('link-east', 'v1', 2),
        buildImage('link-west', 'v1', 2),
      ]);
      link.cut();
      await push(east.reference, 'us-east', 'team/link-east:v1');
      await push(west.reference, 'eu-west', 'team/link-west:v1');
      await pull('us-east', 'team/link-east:v1');
      await pull('eu-west', 'team/link-west:v1');
      const { body } = await status('us-east', 'team/link-east', 'v1');
      expect(body.regions.find((entry) => entry.region === 'eu-west')?.state).toBe('pending');

      link.restore();
      await readyInEuWest('team/link-east', 'v1');
      await pull('eu-west', `team/link-east@${east.manifestDigest}`);
      await expectEventually(
        async () => {
          const inEast = await status('eu-west', 'team/link-west', 'v1');
          expect(inEast.body.regions.find((entry) => entry.region === 'us-east')?.state).toBe(
            'ready',
          );
        },
        { timeoutMs: replicationTimeoutMs, intervalMs: 200 },
      );
      await pull('us-east', `team/link-west@${west.manifestDigest}`);
    } finally {
      link.restore();
    }
  });

  it('answers misses at once in both regions while the link is a black hole NATS has not noticed, and serves across it again within seconds of healing', async () => {
    link ??= await LeafLinkProxy.insert(meridian.dataDir);
    const dark = await buildImage('dark', 'v1', 2);
    const regions = ['us-east', 'eu-west'] as const;
    const absent = () => sha256Digest(Buffer.from(`absent ${Math.random()}`));
    const miss = async (region: GeoRegionId) => {
      const started = performance.now();
      await meridian.regions[region].client.expect(
        'HEAD',
        `/v2/team/dark/blobs/${absent()}`,
        [404],
      );
      return performance.now() - started;
    };
    // logged in while the link works, so the timings below are the misses alone
    for (const region of regions) await miss(region);

    link.blackHole();
    try {
      for (const region of regions) {
        // the first miss waits for the peer once (1 s); then the peer is skipped
        expect(await miss(region)).toBeLessThan(3_000);
        const next = [];
        for (let i = 0; i < 5; i++) next.push(await miss(region));
        expect(Math.max(...next)).toBeLessThan(500);
      }
      await push(dark.reference, 'us-east', 'team/dark:v1');
    } finally {
      link.restore();
    }
    // pulled in eu-west from us-east (catch-up, or replicated) within seconds of healing
    const healed = performance.now();
    await expectEventually(() => pull('eu-west', `team/dark@${dark.manifestDigest}`), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(performance.now() - healed).toBeLessThan(15_000);
  });

  it('ends with one digest in both regions when both push the same tag at once', async () => {
    const [east, west] = await Promise.all([
      buildImage('race-east', 'v1', 1),
      buildImage('race-west', 'v1', 1),
    ]);
    await Promise.all([
      push(east.reference, 'us-east', 'team/race:latest'),
      push(west.reference, 'eu-west', 'team/race:latest'),
    ]);
    const settled = await expectEventually(
      async () => {
        const [inEast, inWest] = await Promise.all([
          digestOfTag('us-east', 'team/race', 'latest'),
          digestOfTag('eu-west', 'team/race', 'latest'),
        ]);
        expect(inEast).toBe(inWest);
        return inEast;
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 500 },
    );
    expect([east.manifestDigest, west.manifestDigest]).toContain(settled);
  });

  it('does not bring back in eu-west a manifest deleted in us-east while it replicated', async () => {
    const doomed = await buildImage('doomed', 'v1', 2);
    await push(doomed.reference, 'us-east', 'team/doomed:v1');
    const east = meridian.regions['us-east'].client;
    await east.expect('DELETE', `/v2/team/doomed/manifests/${doomed.manifestDigest}`, [202]);

    const west = meridian.regions['eu-west'].client;
    await expectEventually(
      async () => {
        // eu-west has applied every us-east event, the delete included …
        const { body } = await meridian.api<RegionsStatus>(
          'eu-west',
          '/api/v1/replication/regions',
        );
        expect(body.peers.find((peer) => peer.region === 'us-east')?.eventsPending).toBe(0);
        // … and the manifest is gone there, not resurrected by the late push
        await expect(
          west.expect('GET', `/v2/team/doomed/manifests/${doomed.manifestDigest}`, [200]),
        ).rejects.toMatchObject({ status: 404 });
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 500 },
    );
    await expect(
      east.expect('GET', `/v2/team/doomed/manifests/${doomed.manifestDigest}`, [200]),
    ).rejects.toBeInstanceOf(RegistryRequestError);
  });
});
