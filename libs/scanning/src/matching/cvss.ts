/**
 * CVSS v3.0/v3.1 base score from a vector string (FIRST's CVSS v3.1 specification, §7.1 and
 * Appendix A's Roundup), and the qualitative rating of a score (§5).
 */
import { type Severity } from '../advisories/advisory-database';

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** Privileges Required weighs more when the scope changes. */
const privileges = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } } as const;

/** The base score of a `CVSS:3.x/AV:..` vector, or undefined when the vector is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const metrics = new Map(parts.slice(1).map((part) => part.split(':') as [string, string]));
  const pick = <T extends Record<string, number>>(table: T, key: string): number | undefined =>
    table[metrics.get(key) as keyof T] as number | undefined;
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const values = [
    pick(weights.AV, 'AV'),
    pick(weights.AC, 'AC'),
    pick(privileges[scope], 'PR'),
    pick(weights.UI, 'UI'),
    pick(weights.CIA, 'C'),
    pick(weights.CIA, 'I'),
    pick(weights.CIA, 'A'),
  ];
  if (values.some((value) => value === undefined)) return undefined;
  const [av, ac, pr, ui, c, i, a] = values as number[];
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact =
    scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av! * ac! * pr! * ui!;
  if (impact <= 0) return 0;
  const total = scope === 'U' ? impact + exploitability : 1.08 * (impact + exploitability);
  return roundUp(Math.min(total, 10));
}

/** The smallest number with one decimal that is >= value, free of floating-point noise. */
function roundUp(value: number): number {
  const integer = Math.round(value * 100_000);
  return integer % 10_000 === 0 ? integer / 100_000 : (Math.floor(integer / 10_000) + 1) / 10;
}

export function ratingOfScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}
