/**
 * Reads an image out of an OCI image layout directory (image-spec image-layout.md): the
 * manifest `index.json` names by tag, and the digests of what it references. Tests
 * compare these digests before and after a round trip through a registry. Every blob
 * read is hashed, so a layout whose bytes do not match their names fails here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';

/** The annotation an OCI layout uses to name a manifest, i.e. its tag. */
const refNameAnnotation = 'org.opencontainers.image.ref.name';

export interface OciLayoutImage {
  readonly dir: string;
  readonly tag: string;
  /** the containers-image transport reference, `oci:<dir>:<tag>` */
  readonly reference: string;
  readonly mediaType: string;
  readonly manifestDigest: string;
  /** the manifest's bytes as stored, which hash to `manifestDigest` */
  readonly manifestBytes: Buffer;
  /** set for an image manifest, absent for an index */
  readonly configDigest?: string;
  /** layer digests in order; child manifest digests for an index */
  readonly layerDigests: readonly string[];
}

interface LayoutIndex {
  manifests: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
}

interface StoredManifest {
  mediaType?: string;
  config?: { digest: string };
  layers?: { digest: string }[];
  manifests?: { digest: string }[];
}

export async function readOciImage(dir: string, tag: string): Promise<OciLayoutImage> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as LayoutIndex;
  const entry = index.manifests.find(
    (descriptor) => descriptor.annotations?.[refNameAnnotation] === tag,
  );
  if (!entry) throw new Error(`the OCI layout ${dir} has no manifest tagged ${tag}`);
  const manifestBytes = await readOciBlob(dir, entry.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as StoredManifest;
  const referenced = [manifest.config, ...(manifest.layers ?? []), ...(manifest.manifests ?? [])];
  for (const descriptor of referenced) if (descriptor) await readOciBlob(dir, descriptor.digest);
  return {
    dir,
    tag,
    reference: `oci:${dir}:${tag}`,
    mediaType: entry.mediaType,
    manifestDigest: entry.digest,
    manifestBytes,
    configDigest: manifest.config?.digest,
    layerDigests: (manifest.layers ?? manifest.manifests ?? []).map((layer) => layer.digest),
  };
}

/** A blob of the layout, checked against its digest. */
export async function readOciBlob(dir: string, digest: string): Promise<Buffer> {
  const bytes = await readFile(join(dir, 'blobs', ...digest.split(':')));
  const actual = sha256Digest(bytes);
  if (actual !== digest)
    throw new Error(`the OCI layout ${dir} holds ${actual} under the name ${digest}`);
  return bytes;
}
