/**
 * Matches installed packages against the advisory database with each ecosystem's real
 * version order: OSV `ranges` (introduced / fixed / last_affected events) and `versions`.
 */
import { type AdvisoryDatabase, type Severity } from '../advisories/advisory-database';
import { type DetectedPackage } from '../packages/package';
import { type Finding, type MatchResult } from './finding';

export function matchPackages(
  packages: readonly DetectedPackage[],
  db: AdvisoryDatabase,
): MatchResult {
  void packages;
  void db;
  throw new Error('matchPackages: being written (issue 6)');
}

const severityRank: Record<Severity, number> = {
  UNKNOWN: 0,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  CRITICAL: 4,
};

/** True when `severity` is at or above `threshold` (UNKNOWN is below everything). */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank[severity] >= severityRank[threshold];
}

/** Counts per severity, every severity present (what `scan.completed.v1` carries). */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
