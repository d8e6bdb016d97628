/**
 * Reads an image's packages from its layers in the regional store: each layer is streamed
 * once, in order, through libs/scanning (whiteouts applied, only package databases kept), so
 * memory stays flat in layer size and nothing is written to disk.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type LayerSource,
  type OperatingSystem,
  type DetectedPackage,
  type ScanError,
  detectPackages,
  isPackageDatabasePath,
  readImageFilesystem,
} from '@meridian/scanning';
import { type StorageDriver, blobKey, storageDriverToken } from '@meridian/storage';

export interface LayerRef {
  digest: string;
  mediaType: string;
}

export interface ImageContents {
  os?: OperatingSystem;
  packages: DetectedPackage[];
  errors: ScanError[];
}

export abstract class LayerReader {
  abstract read(layers: readonly LayerRef[]): Promise<ImageContents>;
}

@Injectable()
export class StoreLayerReader extends LayerReader {
  constructor(@Inject(storageDriverToken) private readonly store: StorageDriver) {
    super();
  }

  async read(layers: readonly LayerRef[]): Promise<ImageContents> {
    const sources: LayerSource[] = layers.map((layer) => ({
      ...layer,
      open: () => this.store.read(blobKey(layer.digest)),
    }));
    const filesystem = await readImageFilesystem(sources, isPackageDatabasePath);
    const inventory = detectPackages(filesystem.files);
    return {
      os: inventory.os,
      packages: inventory.packages,
      errors: [...filesystem.errors, ...inventory.errors],
    };
  }
}
