/**
 * An image's platform (`architecture`, `os`), which ACR lists beside each manifest, read
 * from its config blob in this region's store. A config is content-addressed, so what it
 * says never changes: platforms are remembered by digest, and a listing reads each config
 * once. A config that is not here (yet) or is no image config gives no platform.
 */
import { Inject, Injectable } from '@nestjs/common';
import { mediaTypes } from '@meridian/oci';
import { type StorageDriver, blobKey, storageDriverToken } from '@meridian/storage';
import { LruMap } from '../caching/lru-map';

export interface ImagePlatform {
  architecture?: string;
  os?: string;
}

const imageConfigTypes: readonly string[] = [mediaTypes.ociConfig, mediaTypes.dockerConfig];

/** An image config is a few KiB; one far larger is not read for a listing. */
const maxConfigBytes = 256 * 1024;

@Injectable()
export class ImagePlatforms {
  private readonly known = new LruMap<string, ImagePlatform>({ maxEntries: 50_000 });

  constructor(@Inject(storageDriverToken) private readonly store: StorageDriver) {}

  async of(config: { digest: string; mediaType: string; size: number }): Promise<ImagePlatform> {
    if (!imageConfigTypes.includes(config.mediaType) || config.size > maxConfigBytes) return {};
    const known = this.known.get(config.digest);
    if (known !== undefined) return known;
    const platform = await this.read(config.digest);
    if (platform !== undefined) this.known.set(config.digest, platform);
    return platform ?? {};
  }

  private async read(digest: string): Promise<ImagePlatform | undefined> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.store.read(blobKey(digest)))
        chunks.push(chunk as Buffer);
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      return {
        ...(typeof parsed['architecture'] === 'string'
          ? { architecture: parsed['architecture'] }
          : {}),
        ...(typeof parsed['os'] === 'string' ? { os: parsed['os'] } : {}),
      };
    } catch {
      // absent from this region's store, or not JSON: no platform to tell
      return undefined;
    }
  }
}
