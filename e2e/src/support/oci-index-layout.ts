/**
 * A multi-platform OCI image index in an OCI layout, for skopeo to push with `--all`:
 * the platforms' images (built by umoci into layouts of their own) are gathered into one
 * layout whose tag names an index of them. umoci builds one image at a time; this is the
 * step a multi-platform build does at its end.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { type OciLayoutImage, readOciImage } from '@meridian/testing';

export async function buildOciIndexLayout(
  dir: string,
  tag: string,
  images: ReadonlyArray<{ image: OciLayoutImage; platform: { os: string; architecture: string } }>,
): Promise<OciLayoutImage> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  for (const { image } of images) {
    const source = join(image.dir, 'blobs', 'sha256');
    for (const name of await readdir(source)) await copyFile(join(source, name), join(blobs, name));
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: images.map(({ image, platform }) => ({
        mediaType: image.mediaType,
        digest: image.manifestDigest,
        size: image.manifestBytes.length,
        platform,
      })),
    }),
  );
  const digest = sha256Digest(index);
  await writeFile(join(blobs, digest.slice('sha256:'.length)), index);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: mediaTypes.ociIndex,
          digest,
          size: index.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return readOciImage(dir, tag);
}
