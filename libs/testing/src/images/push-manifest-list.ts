/**
 * Pushes a Docker schema 2 manifest list the way a multi-platform build ends: each
 * platform's image goes up with skopeo as a Docker schema 2 manifest (`--format v2s2`,
 * tagged `<tag>-<os>-<architecture>`), then the list that names them by digest is PUT
 * under `tag`.
 */
import { mediaTypes } from '@meridian/oci';
import type { OciLayoutImage } from './oci-image';
import { type RegistryClient } from './registry-client';
import { runCommand } from './run-command';

export interface ManifestListPlatform {
  os: string;
  architecture: string;
}

export interface PushManifestListOptions {
  repository: string;
  tag: string;
  images: readonly { image: OciLayoutImage; platform: ManifestListPlatform }[];
  /** a containers-auth.json skopeo logs in with (a registry with authentication on) */
  authFile?: string;
}

export interface PushedManifestList {
  digest: string;
  bytes: Buffer;
  children: readonly { digest: string; size: number; platform: ManifestListPlatform }[];
}

export async function pushDockerManifestList(
  registry: RegistryClient,
  options: PushManifestListOptions,
): Promise<PushedManifestList> {
  const children: PushedManifestList['children'][number][] = [];
  for (const { image, platform } of options.images) {
    const childTag = `${options.tag}-${platform.os}-${platform.architecture}`;
    await runCommand('skopeo', [
      'copy',
      '--insecure-policy',
      '--dest-tls-verify=false',
      '--format',
      'v2s2',
      ...(options.authFile ? ['--dest-authfile', options.authFile] : []),
      image.reference,
      `docker://${registry.host}/${options.repository}:${childTag}`,
    ]);
    const pushed = await registry.getManifest(options.repository, childTag, [
      mediaTypes.dockerManifest,
    ]);
    if (pushed.mediaType !== mediaTypes.dockerManifest)
      throw new Error(`${options.repository}:${childTag} came back as ${pushed.mediaType}`);
    children.push({ digest: pushed.digest, size: pushed.size, platform });
  }
  const list = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifestList,
    manifests: children.map((child) => ({
      mediaType: mediaTypes.dockerManifest,
      digest: child.digest,
      size: child.size,
      platform: child.platform,
    })),
  };
  const bytes = Buffer.from(JSON.stringify(list, null, 3));
  const response = await registry.putManifest(
    options.repository,
    options.tag,
    bytes,
    mediaTypes.dockerManifestList,
  );
  const digest = response.headers.get('docker-content-digest') ?? '';
  return { digest, bytes, children };
}
