/**
 * Builds OSV records and in-memory advisory databases for the scanning tests, so each test
 * states only the fields it is about.
 */
import { type AdvisoryDatabase } from '../src/advisories/advisory-database';
import { parseAdvisoryFile } from '../src/advisories/load-advisory-database';
import { advisoryKey } from '../src/advisories/advisory-key';

export interface OsvAffectedSpec {
  ecosystem: string;
  name: string;
  ranges?: { type: 'ECOSYSTEM' | 'SEMVER' | 'GIT'; events: Record<string, string>[] }[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  severity?: { type: string; score: string }[];
}

export function buildOsvRecord(
  overrides: { id: string; affected: OsvAffectedSpec[] } & Record<string, unknown>,
): Record<string, unknown> {
  const affected = overrides.affected.map(({ ecosystem, name, ...rest }) => ({
    package: { ecosystem, name },
    ...rest,
  }));
  return {
    schema_version: '1.6.0',
    modified: '2026-11-01T00:00:00Z',
    aliases: [],
    ...overrides,
    affected,
  };
}

/** A database as loadAdvisoryDatabase would build it from these records, one file each. */
export function advisoryDatabase(records: Record<string, unknown>[]): AdvisoryDatabase {
  const advisories = records.flatMap((record) =>
    parseAdvisoryFile(`${String(record.id)}.json`, Buffer.from(JSON.stringify(record))),
  );
  const byPackage = new Map<string, typeof advisories>();
  for (const advisory of advisories) {
    for (const key of new Set(
      advisory.affected.map((affected) => advisoryKey(affected.ecosystem, affected.name)),
    )) {
      byPackage.set(key, [...(byPackage.get(key) ?? []), advisory]);
    }
  }
  return { advisories, byPackage, fingerprint: 'test', errors: [] };
}
