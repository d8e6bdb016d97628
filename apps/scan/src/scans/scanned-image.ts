/**
 * What the scan service keeps of one image manifest: the packages its layers hold and the
 * findings the advisory database (named by `fingerprint`) gave for them. Kept by digest, so an
 * image in several repositories or indexes is read once, and re-matched without its layers.
 */
import type { ScanFinding } from '@meridian/contracts';
import type { DetectedPackage, OperatingSystem } from '@meridian/scanning';

export interface ScannedImage {
  digest: string;
  os?: OperatingSystem;
  packages: DetectedPackage[];
  /** what could not be read, one line each */
  readErrors: string[];
  /** a layer could not be read: the packages may be incomplete */
  unreadable: boolean;
  findings: ScanFinding[];
  fingerprint: string;
  scannedAt: string;
  matchedAt: string;
}

/** A pushed manifest's report: the images it consists of, in order. */
export interface StoredReport {
  repository: string;
  digest: string;
  mediaType: string;
  tag?: string;
  images: { digest: string; platform?: string }[];
  reportDigest?: string;
  sbomDigest?: string;
  scannedAt: string;
}

/** The key a finding keeps across re-matches: which advisory hit which installed package. */
export function findingKey(finding: ScanFinding): string {
  const { ecosystem, name, version } = finding.package;
  return `${finding.id} ${ecosystem} ${name} ${version}`;
}
