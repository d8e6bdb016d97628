/**
 * Finds the operating system and the packages in an image's wanted files: os-release, dpkg
 * status (and distroless `status.d/`), apk's installed database, npm lockfiles and
 * node_modules manifests, Python dist-info METADATA.
 */
import { type PackageInventory } from './package';

/** The paths detectPackages reads; pass it to readImageFilesystem as `want`. */
export function isPackageDatabasePath(path: string): boolean {
  void path;
  throw new Error('isPackageDatabasePath: being written (issue 6)');
}

export function detectPackages(files: ReadonlyMap<string, Buffer>): PackageInventory {
  void files;
  throw new Error('detectPackages: being written (issue 6)');
}
