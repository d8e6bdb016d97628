/**
 * Which version order an OSV ecosystem uses. Each comparator returns <0, 0 or >0 and throws
 * InvalidVersionError for a version it cannot read.
 */
import { compareApkVersions } from './apk-version';
import { compareDpkgVersions } from './dpkg-version';
import { comparePep440 } from './pep440-version';
import { compareSemver } from './semver-version';

export { InvalidVersionError } from './invalid-version-error';

export type CompareVersions = (a: string, b: string) => number;

/** The order for `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`, `npm`, `PyPI`; undefined if unknown. */
export function versionOrderFor(ecosystem: string): CompareVersions | undefined {
  const family = ecosystem.split(':', 1)[0];
  switch (family) {
    case 'Debian':
    case 'Ubuntu':
      return compareDpkgVersions;
    case 'Alpine':
      return compareApkVersions;
    case 'npm':
      return compareSemver;
    case 'PyPI':
      return comparePep440;
    default:
      return undefined;
  }
}

export { compareApkVersions, compareDpkgVersions, comparePep440, compareSemver };
