/**
 * RPCs of the scan service: the vulnerability report of an image, as the gateway serves it at
 * `GET /api/v1/scans/{repository}/{digest}`. For an index, each platform image has its own
 * entry in `images`.
 */
import { Digest, RepositoryName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';
import { Severity } from '../events/scan.events';

/**
 * The artifact type of the report referrer the scan service attaches to every image it scans
 * (its SBOM referrer is `application/vnd.cyclonedx+json`). The report's bytes are a ScanReport
 * as JSON; regions other than the one that scanned serve it from the replicated referrer.
 */
export const scanReportArtifactType = 'application/vnd.meridian.scan.report.v1+json';

export const ScanFinding = z.object({
  /** the advisory's id (an OSV id) and its aliases (CVE ids) */
  id: z.string(),
  aliases: z.array(z.string()),
  severity: Severity,
  summary: z.string().optional(),
  package: z.object({ name: z.string(), ecosystem: z.string(), version: z.string() }),
  fixedVersion: z.string().optional(),
});
export type ScanFinding = z.infer<typeof ScanFinding>;

export const ScannedImage = z.object({
  digest: Digest,
  platform: z.string().optional(),
  os: z.string().optional(),
  packages: z.number().int().nonnegative(),
  findings: z.array(ScanFinding),
  errors: z.array(z.string()),
});
export type ScannedImage = z.infer<typeof ScannedImage>;

export const ScanReport = z.object({
  repository: RepositoryName,
  digest: Digest,
  mediaType: z.string(),
  scannedAt: z.iso.datetime(),
  /** when the advisory database last changed the findings */
  matchedAt: z.iso.datetime(),
  findings: z.record(Severity, z.number().int().nonnegative()),
  images: z.array(ScannedImage),
  reportDigest: Digest.optional(),
  sbomDigest: Digest.optional(),
});
export type ScanReport = z.infer<typeof ScanReport>;

export const scanRpc = {
  /** The stored report of an image; MANIFEST_UNKNOWN while it has not been scanned. */
  report: defineRpc({
    service: 'scan',
    verb: 'report',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: ScanReport,
  }),
} as const;
