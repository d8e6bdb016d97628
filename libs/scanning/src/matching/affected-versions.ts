/**
 * Decides whether one version is affected by one OSV `affected` entry, as the OSV schema's
 * evaluation rules say: listed in `versions`, or inside a range whose events, sorted by the
 * ecosystem's order, last switched it on (`introduced`) and not off (`fixed`, or past
 * `last_affected`). Also finds the fix: the lowest `fixed` above the version.
 */
import {
  type AffectedPackage,
  type AffectedRange,
  type RangeEvent,
} from '../advisories/advisory-database';
import { compareSemver } from '../versions/semver-version';
import { type CompareVersions } from '../versions/version-order';

export interface AffectedVerdict {
  affected: boolean;
  fixed?: string;
}

export function evaluateAffected(
  version: string,
  entry: AffectedPackage,
  order: CompareVersions,
): AffectedVerdict {
  let affected = entry.versions.some(
    (listed) => listed === version || order(listed, version) === 0,
  );
  let fixed: string | undefined;
  for (const range of entry.ranges) {
    if (range.type === 'GIT') continue;
    const compare = range.type === 'SEMVER' ? compareSemver : order;
    if (!inRange(version, range, compare)) continue;
    affected = true;
    const fix = lowestFixAbove(version, range, compare);
    if (fix !== undefined && (fixed === undefined || compare(fix, fixed) < 0)) fixed = fix;
  }
  return { affected, ...(fixed !== undefined ? { fixed } : {}) };
}

function inRange(version: string, range: AffectedRange, compare: CompareVersions): boolean {
  let affected = false;
  for (const event of sortEvents(range.events, compare)) {
    if (event.introduced !== undefined) {
      if (event.introduced === '0' || compare(version, event.introduced) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      if (compare(version, event.fixed) >= 0) affected = false;
    } else if (event.last_affected !== undefined) {
      if (compare(version, event.last_affected) > 0) affected = false;
    }
  }
  return affected;
}

function lowestFixAbove(
  version: string,
  range: AffectedRange,
  compare: CompareVersions,
): string | undefined {
  return range.events
    .map((event) => event.fixed)
    .filter((fix): fix is string => fix !== undefined && compare(fix, version) > 0)
    .sort(compare)[0];
}

/** Events by version ("0" first); `limit` events only bound git ranges and are dropped. */
function sortEvents(events: RangeEvent[], compare: CompareVersions): RangeEvent[] {
  const versionOf = (event: RangeEvent): string =>
    event.introduced ?? event.fixed ?? event.last_affected ?? '';
  return events
    .filter((event) => event.limit === undefined)
    .sort((a, b) => {
      const x = versionOf(a);
      const y = versionOf(b);
      if (x === '0' || y === '0') return x === y ? 0 : x === '0' ? -1 : 1;
      return compare(x, y);
    });
}
