/**
 * Narrows a validated OSV record to the Advisory the matcher uses: severities kept as given,
 * the per-package `ecosystem_specific`/`database_specific` severity lifted out.
 */
import { type Advisory } from './advisory-database';
import { type OsvRecord } from './osv-schema';

export function toAdvisory(record: OsvRecord, source: string): Advisory {
  return {
    id: record.id,
    aliases: record.aliases,
    ...(record.summary ? { summary: record.summary } : {}),
    modified: record.modified,
    severity: record.severity,
    ...severityText('databaseSeverity', record.database_specific?.severity),
    affected: record.affected.map((affected) => ({
      ecosystem: affected.package.ecosystem,
      name: affected.package.name,
      ranges: affected.ranges,
      versions: affected.versions,
      ...(affected.severity ? { cvss: affected.severity } : {}),
      ...severityText(
        'severity',
        affected.ecosystem_specific?.severity ?? affected.database_specific?.severity,
      ),
    })),
    source,
  };
}

function severityText<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}
