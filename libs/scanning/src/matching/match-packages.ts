/**
 * Matches installed packages against the advisory database with each ecosystem's real
 * version order. A distro package is looked up by its own name and version and by its source
 * package's (Debian's and Alpine's advisories name source packages). A version an order
 * cannot read skips that advisory for that package and is reported.
 */
import {
  type Advisory,
  type AdvisoryDatabase,
  type Severity,
} from '../advisories/advisory-database';
import { advisoryKey } from '../advisories/advisory-key';
import { type DetectedPackage } from '../packages/package';
import { type ScanError } from '../scan-error';
import { InvalidVersionError, versionOrderFor } from '../versions/version-order';
import { advisorySeverity } from './advisory-severity';
import { evaluateAffected } from './affected-versions';
import { type Finding, type MatchResult } from './finding';

export function matchPackages(
  packages: readonly DetectedPackage[],
  db: AdvisoryDatabase,
): MatchResult {
  const findings: Finding[] = [];
  const errors: ScanError[] = [];
  for (const pkg of packages) {
    const order = versionOrderFor(pkg.ecosystem);
    if (!order) continue;
    const seen = new Set<string>();
    for (const identity of identitiesOf(pkg)) {
      for (const advisory of db.byPackage.get(advisoryKey(pkg.ecosystem, identity.name)) ?? []) {
        if (seen.has(advisory.id)) continue;
        try {
          const finding = matchAdvisory(pkg, identity, advisory, order);
          if (finding) {
            seen.add(advisory.id);
            findings.push(finding);
          }
        } catch (error) {
          if (!(error instanceof InvalidVersionError)) throw error;
          errors.push({
            scope: 'advisory',
            subject: advisory.source,
            message: `${advisory.id} for ${pkg.name}: ${error.message}`,
          });
        }
      }
    }
  }
  return { findings: findings.sort(bySeverityThenId), errors };
}

interface PackageIdentity {
  name: string;
  version: string;
}

function identitiesOf(pkg: DetectedPackage): PackageIdentity[] {
  const identities = [{ name: pkg.name, version: pkg.version }];
  if (pkg.sourceName && pkg.sourceName !== pkg.name) {
    identities.push({ name: pkg.sourceName, version: pkg.sourceVersion ?? pkg.version });
  }
  return identities;
}

function matchAdvisory(
  pkg: DetectedPackage,
  identity: PackageIdentity,
  advisory: Advisory,
  order: (a: string, b: string) => number,
): Finding | undefined {
  const key = advisoryKey(pkg.ecosystem, identity.name);
  for (const affected of advisory.affected) {
    if (advisoryKey(affected.ecosystem, affected.name) !== key) continue;
    const verdict = evaluateAffected(identity.version, affected, order);
    if (!verdict.affected) continue;
    return {
      id: advisory.id,
      aliases: [...advisory.aliases].sort(
        (a, b) => Number(!a.startsWith('CVE-')) - Number(!b.startsWith('CVE-')),
      ),
      ...(advisory.summary ? { summary: advisory.summary } : {}),
      ...advisorySeverity(advisory, affected),
      package: { name: pkg.name, ecosystem: pkg.ecosystem, purl: pkg.purl, location: pkg.location },
      installed: pkg.version,
      ...(verdict.fixed !== undefined ? { fixed: verdict.fixed } : {}),
    };
  }
  return undefined;
}

const severityRank: Record<Severity, number> = {
  UNKNOWN: 0,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  CRITICAL: 4,
};

function bySeverityThenId(a: Finding, b: Finding): number {
  return (
    severityRank[b.severity] - severityRank[a.severity] ||
    a.id.localeCompare(b.id) ||
    a.package.purl.localeCompare(b.package.purl)
  );
}

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
