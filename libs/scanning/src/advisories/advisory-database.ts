/**
 * The operator's advisory database in memory: every valid OSV record, indexed by
 * (ecosystem, package name), and a fingerprint that changes whenever any file does, so the
 * scan service can tell a reread that changed nothing from one that needs a re-match.
 */
import { type ScanError } from '../scan-error';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

export interface AffectedPackage {
  ecosystem: string;
  name: string;
  ranges: AffectedRange[];
  versions: string[];
  /** OSV `affected[].severity`: scores for this package only, preferred over the record's */
  cvss?: { type: string; score: string }[];
  /** `ecosystem_specific.severity` / `database_specific.severity` of this entry, if any */
  severity?: string;
}

export interface Advisory {
  id: string;
  aliases: string[];
  summary?: string;
  modified: string;
  /** OSV `severity` entries: `{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/...' }` */
  severity: { type: string; score: string }[];
  /** `database_specific.severity` of the record, if any */
  databaseSeverity?: string;
  affected: AffectedPackage[];
  /** the file it came from (relative to the database root, or the zip entry name) */
  source: string;
}

export interface AdvisoryDatabase {
  advisories: readonly Advisory[];
  /** advisories affecting a package, keyed by `advisoryKey(ecosystem, name)` */
  byPackage: ReadonlyMap<string, readonly Advisory[]>;
  /** sha256 over every file's name and bytes, hex */
  fingerprint: string;
  errors: ScanError[];
}
