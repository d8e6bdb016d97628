/**
 * The report document of a scanned manifest, as the gateway serves it and the report referrer
 * carries it: built only from what is stored, so the same images give the same bytes.
 */
import type { ScanFinding, ScanReport, Severity } from '@meridian/contracts';
import type { ScannedImage, StoredReport } from './scanned-image';

const severities: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export function renderReport(report: StoredReport, images: ScannedImage[]): ScanReport {
  const findings = images.flatMap((image) => image.findings);
  return {
    repository: report.repository,
    digest: report.digest,
    mediaType: report.mediaType,
    scannedAt: report.scannedAt,
    matchedAt: latest(images.map((image) => image.matchedAt)) ?? report.scannedAt,
    findings: countBySeverity(findings),
    images: images.map((image, index) => ({
      digest: image.digest,
      ...(report.images[index]?.platform ? { platform: report.images[index].platform } : {}),
      ...(image.os ? { os: describeOs(image.os) } : {}),
      packages: image.packages.length,
      findings: image.findings,
      errors: image.readErrors,
    })),
    ...(report.reportDigest ? { reportDigest: report.reportDigest } : {}),
    ...(report.sbomDigest ? { sbomDigest: report.sbomDigest } : {}),
  };
}

export function countBySeverity(findings: readonly ScanFinding[]): Record<Severity, number> {
  const counts = Object.fromEntries(severities.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

function describeOs(os: { id: string; versionId?: string; prettyName?: string }): string {
  return os.prettyName ?? [os.id, os.versionId].filter(Boolean).join(' ');
}

function latest(times: string[]): string | undefined {
  return [...times].sort().at(-1);
}
