/**
 * Reads the two distro package databases: dpkg's status file (and the one-file-per-package
 * `status.d/` of distroless images) and apk's installed database. Each paragraph becomes a
 * package; a paragraph without a name or version, or a line of neither shape, is an error of
 * that file, and the other paragraphs still count.
 */
import { type ScanError } from '../scan-error';
import { parseApkParagraphs, parseDpkgParagraphs, type ParagraphParse } from './control-paragraphs';
import { type DetectedPackage, type OperatingSystem } from './package';
import { purl } from './purl';

export const dpkgStatusPath = 'var/lib/dpkg/status';
export const dpkgStatusDirectory = 'var/lib/dpkg/status.d/';
export const apkInstalledPath = 'lib/apk/db/installed';

export function isDpkgStatusPath(path: string): boolean {
  if (path === dpkgStatusPath) return true;
  if (!path.startsWith(dpkgStatusDirectory)) return false;
  const name = path.slice(dpkgStatusDirectory.length);
  return !name.includes('/') && !name.endsWith('.md5sums');
}

export interface FoundPackages {
  packages: DetectedPackage[];
  errors: ScanError[];
}

export function readDpkgStatus(
  path: string,
  text: string,
  os: OperatingSystem | undefined,
): FoundPackages {
  const parsed = parseDpkgParagraphs(text);
  const errors = lineErrors(path, parsed);
  const packages: DetectedPackage[] = [];
  const distro = os?.id ?? 'debian';
  for (const { fields, line } of parsed.paragraphs) {
    const name = fields.get('Package');
    const version = fields.get('Version');
    if (!name || !version) {
      errors.push(databaseError(path, `package entry at line ${line} has no Package or Version`));
      continue;
    }
    // status.d files of distroless images have no Status field: everything there is installed
    const status = fields.get('Status');
    if (status !== undefined && !/\sinstalled$/.test(status)) continue;
    const source = parseSource(fields.get('Source'), name, version);
    const arch = fields.get('Architecture');
    packages.push({
      type: 'deb',
      ecosystem: distroEcosystem(
        distro === 'ubuntu' ? 'Ubuntu' : 'Debian',
        os?.versionId,
        distro === 'ubuntu' ? 2 : 1,
      ),
      name,
      version,
      ...(source.name !== name || source.version !== version
        ? { sourceName: source.name, sourceVersion: source.version }
        : {}),
      arch,
      purl: purl('deb', distro, name, version, {
        arch,
        distro: os?.versionId ? `${distro}-${os.versionId}` : undefined,
      }),
      location: path,
    });
  }
  return { packages, errors };
}

/** dpkg `Source: name` or `Source: name (version)`; absent when it equals the binary package. */
function parseSource(
  field: string | undefined,
  name: string,
  version: string,
): { name: string; version: string } {
  const match = field ? /^(\S+)(?:\s+\((\S+)\))?/.exec(field.trim()) : null;
  return { name: match?.[1] ?? name, version: match?.[2] ?? version };
}

export function readApkInstalled(
  path: string,
  text: string,
  os: OperatingSystem | undefined,
): FoundPackages {
  const parsed = parseApkParagraphs(text);
  const errors = lineErrors(path, parsed);
  const packages: DetectedPackage[] = [];
  for (const { fields, line } of parsed.paragraphs) {
    const name = fields.get('P');
    const version = fields.get('V');
    if (!name || !version) {
      errors.push(databaseError(path, `package entry at line ${line} has no P: or V:`));
      continue;
    }
    const origin = fields.get('o');
    const arch = fields.get('A');
    const license = fields.get('L');
    packages.push({
      type: 'apk',
      ecosystem: distroEcosystem('Alpine', os?.versionId, 2, 'v'),
      name,
      version,
      ...(origin && origin !== name ? { sourceName: origin, sourceVersion: version } : {}),
      arch,
      licenses: license ? [license] : undefined,
      purl: purl('apk', 'alpine', name, version, { arch, distro: os?.versionId }),
      location: path,
    });
  }
  return { packages, errors };
}

/** `Debian:12` from VERSION_ID 12 or 12.4, `Alpine:v3.19` from 3.19.1, `Ubuntu:22.04`. */
function distroEcosystem(
  name: string,
  versionId: string | undefined,
  components: number,
  prefix = '',
): string {
  if (!versionId) return name;
  return `${name}:${prefix}${versionId.split('.').slice(0, components).join('.')}`;
}

function lineErrors(path: string, parsed: ParagraphParse): ScanError[] {
  if (parsed.badLines.length === 0) return [];
  const shown = parsed.badLines.slice(0, 5).join(', ');
  const more = parsed.badLines.length > 5 ? ` and ${parsed.badLines.length - 5} more` : '';
  return [databaseError(path, `malformed lines ${shown}${more}`)];
}

export function databaseError(path: string, message: string): ScanError {
  return { scope: 'package-database', subject: path, message };
}
