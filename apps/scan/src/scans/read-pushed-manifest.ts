/**
 * Which images a push asks to scan: an image manifest is one image; an index is each of its
 * platform images (attestation and `unknown/unknown` entries skipped). Manifests that refer to
 * another (SBOMs, scan reports, signatures) and artifacts whose config is not an image config
 * are not images: nothing to scan, so the scan service never scans its own referrers.
 */
import type { ManifestPushed } from '@meridian/contracts';
import { mediaTypes, parseManifest } from '@meridian/oci';
import type { LayerRef } from './layer-reader';

export interface ImageEntry {
  digest: string;
  /** `os/architecture[/variant]` from the index */
  platform?: string;
  layers: LayerRef[];
}

type FetchManifest = (digest: string) => Promise<{ mediaType: string; body: Buffer }>;

const imageConfigTypes: readonly string[] = [mediaTypes.ociConfig, mediaTypes.dockerConfig];

export async function scannableImages(
  push: ManifestPushed,
  body: Buffer,
  fetch: FetchManifest,
): Promise<ImageEntry[] | undefined> {
  if (push.subject !== undefined) return undefined;
  const parsed = parseManifest(body, push.mediaType);
  if (parsed.kind === 'manifest') {
    const layers = imageLayers(body);
    return layers ? [{ digest: push.digest, layers }] : undefined;
  }
  const entries: ImageEntry[] = [];
  for (const child of parsed.manifests) {
    const platform = child.platform;
    if (platform?.os === 'unknown' || platform?.architecture === 'unknown') continue;
    const manifest = await fetch(child.digest);
    const layers = imageLayers(manifest.body);
    if (!layers) continue;
    entries.push({
      digest: child.digest,
      ...(platform
        ? {
            platform: [platform.os, platform.architecture, platform.variant]
              .filter(Boolean)
              .join('/'),
          }
        : {}),
      layers,
    });
  }
  return entries.length > 0 ? entries : undefined;
}

/** The layers of an image manifest, or undefined when it is an artifact, not an image. */
function imageLayers(body: Buffer): LayerRef[] | undefined {
  const manifest = JSON.parse(body.toString('utf8')) as {
    artifactType?: string;
    subject?: unknown;
    config?: { mediaType?: string };
    layers?: { digest: string; mediaType: string; urls?: string[] }[];
  };
  if (manifest.artifactType !== undefined || manifest.subject !== undefined) return undefined;
  if (!imageConfigTypes.includes(manifest.config?.mediaType ?? '')) return undefined;
  return (manifest.layers ?? [])
    .filter((layer) => layer.urls === undefined)
    .map((layer) => ({ digest: layer.digest, mediaType: layer.mediaType }));
}
