/**
 * skopeo, the client that copies images between transports, against the registry:
 * an OCI image built from files with umoci goes in and comes back out byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { type OciLayoutImage, buildOciImage, readOciImage } from '@meridian/testing';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

describe('skopeo', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let work: string;
  let image: OciLayoutImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-skopeo-'));
    image = await buildOciImage(join(work, 'source'), {
      tag: 'v1',
      layers: [
        { files: { 'etc/app/config.json': '{"greeting":"hello"}\n' } },
        // incompressible and larger than one read buffer: the upload is streamed in pieces
        { files: { 'usr/share/app/data.bin': randomBytes(3 * 1024 * 1024) } },
        { files: { 'usr/bin/app': '#!/bin/sh\necho app\n', 'etc/app/version': '1\n' } },
      ],
    });
    registry = await startRegistry('skopeo');
    skopeo = new Skopeo(registry);
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('copies a three-layer OCI image in and back out with identical digests', async () => {
    expect(image.layerDigests).toHaveLength(3);
    await skopeo.copy(image.reference, skopeo.docker('team/app:v1'));

    const out = join(work, 'round-trip');
    await skopeo.copy(skopeo.docker('team/app:v1'), `oci:${out}:v1`);
    const copied = await readOciImage(out, 'v1');

    expect(copied.mediaType).toBe(mediaTypes.ociManifest);
    expect(copied.manifestDigest).toBe(image.manifestDigest);
    expect(copied.configDigest).toBe(image.configDigest);
    expect(copied.layerDigests).toEqual(image.layerDigests);
    expect(copied.manifestBytes.equals(image.manifestBytes)).toBe(true);
  });

  it('serves the manifest exactly as pushed, by tag and by digest', async () => {
    await skopeo.copy(image.reference, skopeo.docker('team/raw:v1'));

    const byTag = await skopeo.inspectRaw(skopeo.docker('team/raw:v1'));
    const byDigest = await skopeo.inspectRaw(skopeo.docker(`team/raw@${image.manifestDigest}`));

    expect(sha256Digest(byTag)).toBe(image.manifestDigest);
    expect(byDigest.equals(byTag)).toBe(true);
    const fetched = await registry.client.getManifest('team/raw', 'v1', [mediaTypes.ociManifest]);
    expect(fetched.digestHeader).toBe(image.manifestDigest);
    expect(fetched.mediaType).toBe(mediaTypes.ociManifest);
  });

  it('inspects the image: digest, tags, platform and layers', async () => {
    await skopeo.copy(image.reference, skopeo.docker('team/inspected:v1'));
    await skopeo.copy(image.reference, skopeo.docker('team/inspected:stable'));

    const inspection = await skopeo.inspect(skopeo.docker('team/inspected:v1'));

    expect(inspection).toMatchObject({
      Name: `${registry.host}/team/inspected`,
      Digest: image.manifestDigest,
      Architecture: 'amd64',
      Os: 'linux',
      Layers: image.layerDigests,
    });
    expect([...inspection.RepoTags].sort()).toEqual(['stable', 'v1']);
  });

  it('lists tags in lexical order', async () => {
    for (const tag of ['v2', 'latest', 'v10', 'v1'])
      await skopeo.copy(image.reference, skopeo.docker(`team/tagged:${tag}`));

    expect(await skopeo.listTags('team/tagged')).toEqual(['latest', 'v1', 'v10', 'v2']);
  });

  it('deletes an image: it is gone from its repository and kept in the others', async () => {
    await skopeo.copy(image.reference, skopeo.docker('team/doomed:v1'));
    await skopeo.copy(image.reference, skopeo.docker('team/kept:v1'));

    await skopeo.delete(skopeo.docker('team/doomed:v1'));

    await expect(skopeo.inspectRaw(skopeo.docker('team/doomed:v1'))).rejects.toThrow(
      /manifest unknown/i,
    );
    const byDigest = await registry.client.expect(
      'GET',
      `/v2/team/doomed/manifests/${image.manifestDigest}`,
      [404],
    );
    expect(await byDigest.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    expect(sha256Digest(await skopeo.inspectRaw(skopeo.docker('team/kept:v1')))).toBe(
      image.manifestDigest,
    );
  });

  it('copies an image with a 48 MiB layer in and out intact', async () => {
    const large = await buildOciImage(join(work, 'large'), {
      tag: 'v1',
      layers: [{ files: { 'var/lib/app/large.bin': randomBytes(48 * 1024 * 1024) } }],
    });
    await skopeo.copy(large.reference, skopeo.docker('team/large:v1'));

    const out = join(work, 'large-copy');
    await skopeo.copy(skopeo.docker('team/large:v1'), `oci:${out}:v1`);
    const copied = await readOciImage(out, 'v1');

    expect(copied.manifestDigest).toBe(large.manifestDigest);
    expect(copied.layerDigests).toEqual(large.layerDigests);
  });
});
