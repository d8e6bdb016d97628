/**
 * Finds the operating system and the packages in an image's wanted files: os-release, dpkg
 * status (and distroless `status.d/`), apk's installed database, npm lockfiles and
 * node_modules manifests, Python dist-info METADATA. A malformed file is an error of that
 * file; the rest of the image is still inventoried.
 */
import { type ScanError } from '../scan-error';
import {
  apkInstalledPath,
  type FoundPackages,
  isDpkgStatusPath,
  readApkInstalled,
  readDpkgStatus,
} from './distro-packages';
import {
  isNpmLockfilePath,
  isNpmManifestPath,
  isPythonMetadataPath,
  readNpmLockfile,
  readNpmManifest,
  readPythonMetadata,
} from './language-packages';
import { osReleasePaths, parseOsRelease } from './os-release';
import { type DetectedPackage, type OperatingSystem, type PackageInventory } from './package';

/** The paths detectPackages reads; pass it to readImageFilesystem as `want`. */
export function isPackageDatabasePath(path: string): boolean {
  return (
    osReleasePaths.includes(path) ||
    path === apkInstalledPath ||
    isDpkgStatusPath(path) ||
    isNpmManifestPath(path) ||
    isNpmLockfilePath(path) ||
    isPythonMetadataPath(path)
  );
}

export function detectPackages(files: ReadonlyMap<string, Buffer>): PackageInventory {
  const os = detectOperatingSystem(files);
  const packages: DetectedPackage[] = [];
  const errors: ScanError[] = [];
  const seen = new Set<string>();
  for (const path of [...files.keys()].sort()) {
    const found = readPackageFile(path, files.get(path)!.toString('utf8'), os);
    if (!found) continue;
    errors.push(...found.errors);
    for (const pkg of found.packages) {
      // an npm package appears in a lockfile and in its own package.json: one component
      const key = `${pkg.ecosystem}\0${pkg.name}\0${pkg.version}${pkg.type === 'npm' ? '' : `\0${pkg.location}`}`;
      if (seen.has(key)) continue;
      seen.add(key);
      packages.push(pkg);
    }
  }
  return { ...(os ? { os } : {}), packages, errors };
}

function detectOperatingSystem(files: ReadonlyMap<string, Buffer>): OperatingSystem | undefined {
  for (const path of osReleasePaths) {
    const content = files.get(path);
    if (content) return parseOsRelease(content.toString('utf8'));
  }
  return undefined;
}

function readPackageFile(
  path: string,
  text: string,
  os: OperatingSystem | undefined,
): FoundPackages | undefined {
  if (isDpkgStatusPath(path)) return readDpkgStatus(path, text, os);
  if (path === apkInstalledPath) return readApkInstalled(path, text, os);
  if (isNpmLockfilePath(path)) return readNpmLockfile(path, text);
  if (isNpmManifestPath(path)) return readNpmManifest(path, text);
  if (isPythonMetadataPath(path)) return readPythonMetadata(path, text);
  return undefined;
}
