/**
 * The severity of an advisory for one package: the CVSS v3 vector of the affected entry or
 * of the record when there is one (its base score decides), else the severity word the
 * database gave (GitHub's `moderate`, Debian's `unimportant`, Alpine's and Ubuntu's levels).
 */
import {
  type Advisory,
  type AffectedPackage,
  type Severity,
} from '../advisories/advisory-database';
import { cvss3BaseScore, ratingOfScore } from './cvss';

const words: Record<string, Severity> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unimportant: 'LOW',
};

export function advisorySeverity(
  advisory: Advisory,
  affected: AffectedPackage,
): { severity: Severity; cvssScore?: number } {
  for (const entry of [...(affected.cvss ?? []), ...advisory.severity]) {
    if (entry.type !== 'CVSS_V3') continue;
    const score = cvss3BaseScore(entry.score);
    if (score !== undefined) return { severity: ratingOfScore(score), cvssScore: score };
  }
  const word = (affected.severity ?? advisory.databaseSeverity)?.toLowerCase();
  return { severity: (word && words[word]) || 'UNKNOWN' };
}
