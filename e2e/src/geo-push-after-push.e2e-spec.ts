/**
 * Pushing one image to two regions, one right after the other (Azure/acr#588): skopeo
 * copies it to us-east, then at once to eu-west. eu-west answers the blob HEADs from us-east
 * (it is catching up), so skopeo skips those uploads; the manifest must still be accepted
 * the first time (eu-west copies the blobs from us-east before it stores the push), and the
 * image must then pull intact from eu-west. The sharpest form, as the issue measured it with
 * curl: large blobs to us-east, then the manifest alone to eu-west at once, before eu-west's
 * replication has copied them. Skipped against distribution (one region).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';
import { type OciLayoutImage, buildOciImage, readOciImage } from '@meridian/testing';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

describe('a push to eu-west right after the same push to us-east', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let work: string;
  let image: OciLayoutImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-push-after-push-'));
    image = await buildOciImage(join(work, 'source'), {
      tag: 'v1',
      layers: [0, 1].map((index) => ({
        files: { [`opt/part-${index}`]: randomBytes(12 * 1024 * 1024).toString('base64') },
      })),
    });
    registry = await startRegistry('push-after-push');
    skopeo = new Skopeo(registry);
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('accepts in eu-west a manifest PUT right after its blobs went to us-east', async () => {
    const euWest = registry.otherRegion;
    if (registry.kind !== 'meridian' || euWest === undefined) return;
    const repository = 'team/curl';
    // eu-west's push token first, so the manifest PUT goes out the moment the blobs are in
    await euWest.client.pushBlob(repository, 'warm-up', 'application/octet-stream');
    const config = await registry.client.pushBlob(
      repository,
      '{"architecture":"amd64","os":"linux"}',
      'application/vnd.oci.image.config.v1+json',
    );
    const layerBytes = [randomBytes(48 * 1024 * 1024), randomBytes(48 * 1024 * 1024)];
    const layers = [];
    for (const bytes of layerBytes)
      layers.push(
        await registry.client.pushBlob(repository, bytes, 'application/vnd.oci.image.layer.v1.tar'),
      );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers,
      }),
    );

    await euWest.client.putManifest(
      repository,
      'v1',
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );

    const pulled = await euWest.client.getManifest(repository, 'v1', [
      'application/vnd.oci.image.manifest.v1+json',
    ]);
    expect(pulled.digest).toBe(sha256Digest(manifest));
    for (const [index, layer] of layers.entries()) {
      const response = await euWest.client.expect(
        'GET',
        `/v2/${repository}/blobs/${layer.digest}`,
        [200],
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(layerBytes[index]!)).toBe(true);
    }
  });

  it('is accepted the first time in eu-west after skopeo copied it to us-east', async () => {
    const euWest = registry.otherRegion;
    if (registry.kind !== 'meridian' || euWest === undefined) return;
    const { username, password } = registry.credentials;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const repository = `team/twice-${attempt}`;
      const inEuWest = `docker://${euWest.host}/${repository}:v1`;
      await skopeo.copy(image.reference, skopeo.docker(`${repository}:v1`));
      await skopeo.copy(image.reference, inEuWest, [`--dest-creds=${username}:${password}`]);

      const raw = await skopeo.run([
        'inspect',
        '--tls-verify=false',
        '--raw',
        `--creds=${username}:${password}`,
        inEuWest,
      ]);
      expect(sha256Digest(raw.stdoutBytes)).toBe(image.manifestDigest);
      const out = join(work, `pulled-${attempt}`);
      await skopeo.copy(inEuWest, `oci:${out}:v1`, [`--src-creds=${username}:${password}`]);
      expect((await readOciImage(out, 'v1')).layerDigests).toEqual(image.layerDigests);
    }
  });
});
