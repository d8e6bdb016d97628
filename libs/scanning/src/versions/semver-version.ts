/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), the order of npm and of OSV `SEMVER`
 * ranges: major.minor.patch numerically, a pre-release below its release, pre-release
 * identifiers numeric-below-alphanumeric, build metadata ignored. A leading `v` is accepted
 * as Go and GitHub advisories write it.
 */
import { InvalidVersionError } from './invalid-version-error';

const pattern =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

interface SemVer {
  core: [number, number, number];
  prerelease: string[];
}

export function parseSemver(version: string): SemVer {
  const match = pattern.exec(version.trim());
  if (!match) throw new InvalidVersionError(`not a semantic version: ${JSON.stringify(version)}`);
  return {
    core: [Number(match[1]), Number(match[2]), Number(match[3])],
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

export function compareSemver(a: string, b: string): number {
  const left = parseSemver(a);
  const right = parseSemver(b);
  for (let i = 0; i < 3; i++)
    if (left.core[i] !== right.core[i]) return Math.sign(left.core[i]! - right.core[i]!);
  if (left.prerelease.length === 0 || right.prerelease.length === 0) {
    return Math.sign(right.prerelease.length - left.prerelease.length);
  }
  const length = Math.max(left.prerelease.length, right.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = left.prerelease[i];
    const y = right.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const order = compareIdentifier(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

function compareIdentifier(x: string, y: string): number {
  const xNumeric = /^\d+$/.test(x);
  const yNumeric = /^\d+$/.test(y);
  if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y));
  if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
