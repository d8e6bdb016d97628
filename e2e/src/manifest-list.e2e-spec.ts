/**
 * A Docker schema 2 manifest list with two platforms: pushed as a multi-platform build
 * ends (each platform's image, then the list), read back by skopeo as it was pushed, and
 * copied out whole with every digest kept; and the same made and pushed by podman.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  type PushedManifestList,
  buildOciImage,
  pushDockerManifestList,
} from '@meridian/testing';
import { ContainerStorage } from './support/container-storage';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

const platforms = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
];

describe('a Docker manifest list with two platforms', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let work: string;
  let list: PushedManifestList;
  let images: { image: OciLayoutImage; platform: (typeof platforms)[number] }[];
  const layersByArchitecture = new Map<string, readonly string[]>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-list-'));
    images = [];
    for (const platform of platforms) {
      const image = await buildOciImage(join(work, platform.architecture), {
        tag: 'v1',
        platform,
        layers: [
          { files: { 'etc/platform': `${platform.os}/${platform.architecture}\n` } },
          {
            files: {
              [`usr/lib/${platform.architecture}/lib.so`]: platform.architecture.repeat(4096),
            },
          },
        ],
      });
      images.push({ image, platform });
      layersByArchitecture.set(platform.architecture, image.layerDigests);
    }
    registry = await startRegistry('manifest-list');
    skopeo = new Skopeo(registry);
    list = await pushDockerManifestList(registry.client, {
      repository: 'team/multi',
      tag: 'v1',
      images,
      authFile: registry.authFile,
    });
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('answers the list PUT with the digest of its bytes', () => {
    expect(list.digest).toBe(sha256Digest(list.bytes));
  });

  it('serves the list as pushed, naming both platforms', async () => {
    const raw = await skopeo.inspectRaw(skopeo.docker('team/multi:v1'));

    expect(raw.equals(list.bytes)).toBe(true);
    expect(JSON.parse(raw.toString('utf8'))).toEqual({
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifestList,
      manifests: list.children.map((child) => ({
        mediaType: mediaTypes.dockerManifest,
        digest: child.digest,
        size: child.size,
        platform: child.platform,
      })),
    });
    const fetched = await registry.client.getManifest('team/multi', 'v1', [
      mediaTypes.dockerManifestList,
    ]);
    expect(fetched).toMatchObject({
      mediaType: mediaTypes.dockerManifestList,
      digestHeader: list.digest,
    });
  });

  it.each(platforms)(
    'resolves the list to the $architecture image for a client on $os/$architecture',
    async (platform) => {
      const inspection = await skopeo.inspect(skopeo.docker('team/multi:v1'), [
        '--override-os',
        platform.os,
        '--override-arch',
        platform.architecture,
      ]);

      // the digest skopeo reports is the list's; the layers are the chosen image's
      expect(inspection).toMatchObject({
        Digest: list.digest,
        Architecture: platform.architecture,
        Os: platform.os,
        Layers: layersByArchitecture.get(platform.architecture),
      });
    },
  );

  it('copies out with --all: the list and both images keep their digests', async () => {
    const out = join(work, 'copied');
    await skopeo.copy(skopeo.docker('team/multi:v1'), `dir:${out}`, ['--all']);

    expect(await fileDigest(join(out, 'manifest.json'))).toBe(list.digest);
    for (const child of list.children) {
      const hex = child.digest.replace('sha256:', '');
      expect(await fileDigest(join(out, `${hex}.manifest.json`))).toBe(child.digest);
    }
  });

  it('copies with --all into another repository, digests preserved', async () => {
    await skopeo.copy(skopeo.docker('team/multi:v1'), skopeo.docker('mirror/multi:v1'), [
      '--all',
      '--preserve-digests',
    ]);

    expect(sha256Digest(await skopeo.inspectRaw(skopeo.docker('mirror/multi:v1')))).toBe(
      list.digest,
    );
    for (const child of list.children)
      expect(
        sha256Digest(await skopeo.inspectRaw(skopeo.docker(`mirror/multi@${child.digest}`))),
      ).toBe(child.digest);
  });

  describe('made by podman', () => {
    let containers: ContainerStorage;

    beforeAll(async () => {
      containers = await ContainerStorage.create(registry);
    });

    afterAll(async () => {
      await containers?.dispose();
    });

    it('pushes with podman manifest push --all and pulls each platform back', async () => {
      await containers.podman(['manifest', 'create', 'localhost/multi:v1']);
      for (const { image } of images)
        await containers.podman(['manifest', 'add', 'localhost/multi:v1', image.reference]);
      const digestFile = join(work, 'podman-list.digest');
      await containers.podman([
        'manifest',
        'push',
        '--all',
        '--tls-verify=false',
        '--format',
        'v2s2',
        '--digestfile',
        digestFile,
        'localhost/multi:v1',
        `docker://${registry.host}/team/podman-multi:v1`,
      ]);

      const pushedDigest = (await readFile(digestFile, 'utf8')).trim();
      const served = await skopeo.inspectRaw(skopeo.docker('team/podman-multi:v1'));
      expect(sha256Digest(served)).toBe(pushedDigest);
      const servedList = JSON.parse(served.toString('utf8')) as {
        mediaType: string;
        manifests: { mediaType: string; platform: { architecture: string } }[];
      };
      expect(servedList.mediaType).toBe(mediaTypes.dockerManifestList);
      expect(servedList.manifests.map((child) => child.platform.architecture)).toEqual(
        platforms.map((platform) => platform.architecture),
      );
      for (const platform of platforms) {
        const reference = `${registry.host}/team/podman-multi:v1`;
        await containers.podman([
          'pull',
          '--quiet',
          '--tls-verify=false',
          '--platform',
          `${platform.os}/${platform.architecture}`,
          reference,
        ]);
        const pulled = await containers.podman([
          'image',
          'inspect',
          '--format',
          '{{.Architecture}}',
          reference,
        ]);
        expect(pulled.stdout.trim()).toBe(platform.architecture);
      }
    });
  });
});

async function fileDigest(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}
