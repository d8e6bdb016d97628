/**
 * The operator's advisory database as the scan service uses it: match packages, and tell by
 * the fingerprint whether the findings of a stored image came from the database in hand.
 * Reread on SIGHUP and every MERIDIAN_ADVISORY_DB_REFRESH_SECONDS (AdvisoryRefresh); without
 * MERIDIAN_ADVISORY_DB the database is empty and images get SBOMs and no findings.
 */
import { Injectable } from '@nestjs/common';
import type { ScanFinding } from '@meridian/contracts';
import {
  type AdvisoryDatabase,
  type DetectedPackage,
  type Finding,
  type ScanError,
  loadAdvisoryDatabase,
  matchPackages,
} from '@meridian/scanning';

export interface Matched {
  findings: ScanFinding[];
  errors: ScanError[];
}

export abstract class AdvisoryMatcher {
  /** names the database in hand; changes whenever any of its files does */
  abstract readonly fingerprint: string;
  abstract match(packages: readonly DetectedPackage[]): Matched;
  /** Rereads the database; true when it changed. */
  abstract reload(): Promise<boolean>;
  /** errors of the advisory files last read (not valid OSV, …) */
  abstract readonly errors: readonly ScanError[];
}

export const emptyDatabaseFingerprint = 'none';

/** The database a directory or zip of OSV files holds (libs/scanning reads and matches it). */
@Injectable()
export class OsvAdvisoryMatcher extends AdvisoryMatcher {
  private database: AdvisoryDatabase = emptyDatabase();

  constructor(private readonly path: string | undefined) {
    super();
  }

  get fingerprint(): string {
    return this.database.fingerprint;
  }

  get errors(): readonly ScanError[] {
    return this.database.errors;
  }

  match(packages: readonly DetectedPackage[]): Matched {
    const { findings, errors } = matchPackages(packages, this.database);
    return { findings: findings.map(toScanFinding), errors };
  }

  async reload(): Promise<boolean> {
    if (this.path === undefined) return false;
    const next = await loadAdvisoryDatabase(this.path);
    if (next.fingerprint === this.database.fingerprint) return false;
    this.database = next;
    return true;
  }
}

function emptyDatabase(): AdvisoryDatabase {
  return {
    advisories: [],
    byPackage: new Map(),
    fingerprint: emptyDatabaseFingerprint,
    errors: [],
  };
}

export function toScanFinding(finding: Finding): ScanFinding {
  return {
    id: finding.id,
    aliases: finding.aliases,
    severity: finding.severity,
    ...(finding.summary === undefined ? {} : { summary: finding.summary }),
    package: {
      name: finding.package.name,
      ecosystem: finding.package.ecosystem,
      version: finding.installed,
    },
    ...(finding.fixed === undefined ? {} : { fixedVersion: finding.fixed }),
  };
}
