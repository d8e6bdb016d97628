/**
 * Turns a package inventory into a CycloneDX 1.5 JSON SBOM, the document Meridian attaches to
 * the image as a referrer (artifactType `application/vnd.cyclonedx+json`).
 */
import { type PackageInventory } from '../packages/package';

export const cycloneDxMediaType = 'application/vnd.cyclonedx+json';

export interface SbomSubject {
  repository: string;
  digest: string;
  tag?: string;
}

export interface SbomOptions {
  /** defaults to now; pass one for reproducible documents */
  timestamp?: Date;
  /** defaults to a random urn:uuid */
  serialNumber?: string;
}

export type CycloneDxBom = Record<string, unknown> & { bomFormat: 'CycloneDX'; specVersion: '1.5' };

export function buildCycloneDxSbom(
  subject: SbomSubject,
  inventory: PackageInventory,
  options: SbomOptions = {},
): CycloneDxBom {
  void subject;
  void inventory;
  void options;
  throw new Error('buildCycloneDxSbom: being written (issue 6)');
}
