/**
 * Reads the language package manifests images carry: npm's package-lock.json (lockfile v1's
 * nested `dependencies`, v2/v3's `packages` keyed by install path), the package.json of every
 * installed node_modules package, and Python's `*.dist-info/METADATA` (and `*.egg-info`).
 */
import { type DetectedPackage } from './package';
import { databaseError, type FoundPackages } from './distro-packages';
import { normalizePythonName, purl } from './purl';

const nodeModulesManifest = /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/;
const lockfileName = /(^|\/)(package-lock\.json|node_modules\/\.package-lock\.json)$/;
const distInfoMetadata = /(^|\/)[^/]+\.dist-info\/METADATA$/;
/** setuptools' older form, as Debian's python3-* packages still install it: a directory or one file */
const eggInfo = /(^|\/)[^/]+\.egg-info(\/PKG-INFO)?$/;

export function isNpmManifestPath(path: string): boolean {
  return nodeModulesManifest.test(path);
}

export function isNpmLockfilePath(path: string): boolean {
  return lockfileName.test(path);
}

export function isPythonMetadataPath(path: string): boolean {
  return distInfoMetadata.test(path) || eggInfo.test(path);
}

export function npmPackage(name: string, version: string, location: string): DetectedPackage {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash === -1 ? undefined : name.slice(0, slash);
  const bare = slash === -1 ? name : name.slice(slash + 1);
  return {
    type: 'npm',
    ecosystem: 'npm',
    name,
    version,
    purl: purl('npm', namespace, bare, version),
    location,
  };
}

export function readNpmManifest(path: string, text: string): FoundPackages {
  const json = parseJson(text);
  if (!isRecord(json) || typeof json.name !== 'string' || typeof json.version !== 'string') {
    return {
      packages: [],
      errors: [databaseError(path, 'package.json without a name and version')],
    };
  }
  const pkg = npmPackage(json.name, json.version, path);
  const license = typeof json.license === 'string' ? json.license : undefined;
  return { packages: [license ? { ...pkg, licenses: [license] } : pkg], errors: [] };
}

export function readNpmLockfile(path: string, text: string): FoundPackages {
  const json = parseJson(text);
  if (!isRecord(json)) return { packages: [], errors: [databaseError(path, 'not a JSON object')] };
  const packages: DetectedPackage[] = [];
  if (isRecord(json.packages)) {
    for (const [installPath, entry] of Object.entries(json.packages)) {
      if (installPath === '' || !isRecord(entry) || entry.link === true) continue;
      const name = typeof entry.name === 'string' ? entry.name : nameFromInstallPath(installPath);
      if (name && typeof entry.version === 'string')
        packages.push(npmPackage(name, entry.version, path));
    }
  } else if (isRecord(json.dependencies)) {
    collectV1Dependencies(json.dependencies, path, packages);
  } else {
    return {
      packages: [],
      errors: [databaseError(path, 'lockfile has neither `packages` nor `dependencies`')],
    };
  }
  return { packages, errors: [] };
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; a workspace path outside node_modules → undefined. */
function nameFromInstallPath(installPath: string): string | undefined {
  const index = installPath.lastIndexOf('node_modules/');
  return index === -1 ? undefined : installPath.slice(index + 'node_modules/'.length);
}

function collectV1Dependencies(
  dependencies: Record<string, unknown>,
  path: string,
  into: DetectedPackage[],
): void {
  for (const [name, entry] of Object.entries(dependencies)) {
    if (!isRecord(entry)) continue;
    // a `file:` or git dependency's version is a specifier, not a version
    if (typeof entry.version === 'string' && /^\d/.test(entry.version))
      into.push(npmPackage(name, entry.version, path));
    if (isRecord(entry.dependencies)) collectV1Dependencies(entry.dependencies, path, into);
  }
}

export function readPythonMetadata(path: string, text: string): FoundPackages {
  // the header ends at the first blank line; the description follows
  const header = text.split(/\r?\n\r?\n/, 1)[0]!;
  const fields = new Map<string, string>();
  for (const line of header.split(/\r?\n/)) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match && !fields.has(match[1]!.toLowerCase()))
      fields.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  const name = fields.get('name');
  const version = fields.get('version');
  if (!name || !version)
    return { packages: [], errors: [databaseError(path, 'METADATA without Name and Version')] };
  const license = fields.get('license-expression') ?? fields.get('license');
  return {
    packages: [
      {
        type: 'pypi',
        ecosystem: 'PyPI',
        name,
        version,
        ...(license && license !== 'UNKNOWN' ? { licenses: [license] } : {}),
        purl: purl('pypi', undefined, normalizePythonName(name), version),
        location: path,
      },
    ],
    errors: [],
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
