/**
 * What a user expects of `npm start` after Ctrl-C: a clean stop, and on the next start
 * on the same data directory every image is still there with the same digests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';
import { type OciLayoutImage, buildOciImage, readOciImage } from '@meridian/testing';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

describe('a restart on the same data directory', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let work: string;
  let image: OciLayoutImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-restart-'));
    image = await buildOciImage(join(work, 'source'), {
      tag: 'v1',
      layers: [
        { files: { 'etc/durable': 'kept across restarts\n' } },
        { files: { 'var/lib/app/state': 'state\n'.repeat(10_000) } },
        { files: { 'usr/bin/app': '#!/bin/sh\n' } },
      ],
    });
    registry = await startRegistry('restart');
    skopeo = new Skopeo(registry);
    await skopeo.copy(image.reference, skopeo.docker('team/durable:v1'));
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('stops cleanly on SIGTERM and no longer answers', async () => {
    const status = await registry.stop();

    // distribution, the reference, ends by the signal itself; the launcher exits 0
    if (registry.kind === 'meridian') expect(status).toEqual({ code: 0, signal: null });
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it('serves the image with the same digests after starting again', async () => {
    await registry.start();

    expect(sha256Digest(await skopeo.inspectRaw(skopeo.docker('team/durable:v1')))).toBe(
      image.manifestDigest,
    );
    expect(await skopeo.listTags('team/durable')).toEqual(['v1']);
    const out = join(work, 'after-restart');
    await skopeo.copy(skopeo.docker('team/durable:v1'), `oci:${out}:v1`);
    const copied = await readOciImage(out, 'v1');
    expect(copied.manifestDigest).toBe(image.manifestDigest);
    expect(copied.layerDigests).toEqual(image.layerDigests);
  });

  it('takes new pushes after the restart', async () => {
    await skopeo.copy(image.reference, skopeo.docker('team/durable:v2'));

    expect(await skopeo.listTags('team/durable')).toEqual(['v1', 'v2']);
  });
});
