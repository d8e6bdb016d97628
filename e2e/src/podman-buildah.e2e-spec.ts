/**
 * podman and buildah, the daemonless container tools, push to and pull from the registry
 * with a container storage of their own (see support/container-storage.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { type OciLayoutImage, buildOciImage, readOciImage, runCommand } from '@meridian/testing';
import { ContainerStorage } from './support/container-storage';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

describe('podman and buildah', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let containers: ContainerStorage;
  let work: string;
  let image: OciLayoutImage;

  beforeAll(async () => {
    // podman names an image pulled from a layout after its path, which must be lowercase
    work = join(tmpdir(), `meridian-e2e-podman-${randomBytes(6).toString('hex')}`);
    await mkdir(work);
    image = await buildOciImage(join(work, 'source'), {
      tag: 'v1',
      layers: [
        { files: { 'etc/motd': 'built for podman\n' } },
        { files: { 'srv/www/index.html': '<h1>hello</h1>\n'.repeat(5000) } },
      ],
    });
    registry = await startRegistry('podman-buildah');
    skopeo = new Skopeo(registry);
    containers = await ContainerStorage.create(registry);
  }, 300_000);

  afterAll(async () => {
    await containers?.dispose();
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  describe.each([
    { format: 'oci', repository: 'team/podman-oci', mediaType: mediaTypes.ociManifest },
    { format: 'v2s2', repository: 'team/podman-docker', mediaType: mediaTypes.dockerManifest },
  ])('podman, $format manifest', ({ format, repository, mediaType }) => {
    it('pushes an image and pulls it back with the same digest', async () => {
      const reference = `${registry.host}/${repository}:v1`;
      const digestFile = join(work, `${format}.digest`);
      const imageId = (await containers.podman(['pull', '--quiet', image.reference])).stdout.trim();
      await containers.podman(['tag', imageId, reference]);
      await containers.podman([
        'push',
        '--tls-verify=false',
        '--format',
        format,
        '--digestfile',
        digestFile,
        reference,
      ]);
      const pushedDigest = (await readFile(digestFile, 'utf8')).trim();
      const served = await skopeo.inspectRaw(`docker://${reference}`);
      expect(sha256Digest(served)).toBe(pushedDigest);
      const fetched = await registry.client.getManifest(repository, 'v1', [
        mediaTypes.ociManifest,
        mediaTypes.dockerManifest,
      ]);
      expect(fetched).toMatchObject({
        mediaType,
        digest: pushedDigest,
        digestHeader: pushedDigest,
      });

      // every name of the image goes, so the pull below really comes from the registry
      await containers.podman(['rmi', '--force', imageId]);
      await containers.podman(['pull', '--quiet', '--tls-verify=false', reference]);

      const pulled = await containers.podman([
        'image',
        'inspect',
        '--format',
        '{{.ID}} {{.Digest}}',
        reference,
      ]);
      expect(pulled.stdout.trim()).toBe(`${imageId} ${pushedDigest}`);
      await containers.podman([
        'pull',
        '--quiet',
        '--tls-verify=false',
        `${registry.host}/${repository}@${pushedDigest}`,
      ]);
    });
  });

  it('buildah builds an image from scratch, pushes it, and its files come back intact', async () => {
    const content = 'written by buildah\n';
    await writeFile(join(work, 'greeting.txt'), content);
    const container = (await containers.buildah(['from', 'scratch'])).stdout.trim();
    await containers.buildah(['copy', container, join(work, 'greeting.txt'), '/data/greeting.txt']);
    await containers.buildah(['config', '--cmd', '/data/greeting.txt', container]);
    await containers.buildah(['commit', '--quiet', '--format', 'oci', container, 'local/built:v1']);
    await containers.buildah(['rm', container]);

    const digestFile = join(work, 'buildah.digest');
    await containers.buildah([
      'push',
      '--tls-verify=false',
      '--digestfile',
      digestFile,
      'local/built:v1',
      `docker://${registry.host}/team/built:v1`,
    ]);
    const pushedDigest = (await readFile(digestFile, 'utf8')).trim();

    const out = join(work, 'built');
    await skopeo.copy(skopeo.docker('team/built:v1'), `oci:${out}:v1`);
    const copied = await readOciImage(out, 'v1');
    expect(copied.manifestDigest).toBe(pushedDigest);
    const bundle = join(work, 'built-bundle');
    await runCommand('umoci', ['unpack', '--image', `${out}:v1`, bundle]);
    expect(await readFile(join(bundle, 'rootfs', 'data', 'greeting.txt'), 'utf8')).toBe(content);
  });
});
