/**
 * Builds a multi-layer OCI image layout from files, with umoci as an image author would:
 * `init` and `new` make an empty image, then each layer is an `unpack`, the layer's files
 * written into the root filesystem, and a `repack` that records the difference as one
 * gzip layer. No network, no container storage, nothing outside `dir`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { type OciLayoutImage, readOciImage } from './oci-image';
import { runCommand } from './run-command';

export interface ImageLayerSpec {
  /** path inside the image (relative, no `..`) → content */
  files: Record<string, string | Uint8Array>;
}

export interface BuildOciImageOptions {
  tag: string;
  layers: readonly ImageLayerSpec[];
  /** linux/amd64 unless set */
  platform?: { os: string; architecture: string };
  /** what the image's config says to run it with (umoci's `--config.*`) */
  config?: {
    entrypoint?: readonly string[];
    env?: readonly string[];
    labels?: Record<string, string>;
  };
}

/** Creates the layout at `dir` (which must not exist yet) and returns the tagged image. */
export async function buildOciImage(
  dir: string,
  options: BuildOciImageOptions,
): Promise<OciLayoutImage> {
  const image = `${dir}:${options.tag}`;
  await runCommand('umoci', ['init', '--layout', dir]);
  await runCommand('umoci', ['new', '--image', image]);
  const work = await mkdtemp(join(tmpdir(), 'meridian-umoci-'));
  try {
    for (const [index, layer] of options.layers.entries()) {
      const bundle = join(work, `layer-${index}`);
      await runCommand('umoci', ['unpack', '--image', image, bundle]);
      for (const [path, content] of Object.entries(layer.files))
        await writeImageFile(join(bundle, 'rootfs'), path, content);
      await runCommand('umoci', ['repack', '--image', image, bundle]);
      await rm(bundle, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  await runCommand('umoci', [
    'config',
    '--image',
    image,
    '--os',
    platform.os,
    '--architecture',
    platform.architecture,
    ...(options.config?.entrypoint ?? []).flatMap((part) => ['--config.entrypoint', part]),
    ...(options.config?.env ?? []).flatMap((line) => ['--config.env', line]),
    ...Object.entries(options.config?.labels ?? {}).flatMap(([key, value]) => [
      '--config.label',
      `${key}=${value}`,
    ]),
  ]);
  return readOciImage(dir, options.tag);
}

async function writeImageFile(
  rootfs: string,
  path: string,
  content: string | Uint8Array,
): Promise<void> {
  const relative = normalize(path);
  if (relative.startsWith('/') || relative === '..' || relative.startsWith('../'))
    throw new Error(`image file paths are relative and stay inside the image: ${path}`);
  const target = join(rootfs, relative);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}
