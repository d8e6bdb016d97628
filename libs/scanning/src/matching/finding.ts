/**
 * A finding: one advisory affecting one installed package, with what the report and the
 * quarantine decision need (severity, the version that fixes it).
 */
import { type Severity } from '../advisories/advisory-database';
import { type ScanError } from '../scan-error';

export interface Finding {
  /** advisory id (`GHSA-...`, `DSA-...`, `CVE-...`) */
  id: string;
  /** other ids of the same advisory, CVEs first */
  aliases: string[];
  summary?: string;
  severity: Severity;
  /** CVSS v3 base score when the advisory carries a vector */
  cvssScore?: number;
  package: { name: string; ecosystem: string; purl: string; location: string };
  installed: string;
  /** the lowest fixed version above the installed one, if the advisory names one */
  fixed?: string;
}

export interface MatchResult {
  findings: Finding[];
  /** versions an ecosystem's order could not read (the advisory is then skipped for it) */
  errors: ScanError[];
}
