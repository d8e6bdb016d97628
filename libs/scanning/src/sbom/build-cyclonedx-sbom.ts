/**
 * Turns a package inventory into a CycloneDX 1.5 JSON SBOM (cyclonedx.org/docs/1.5/json),
 * the document Meridian attaches to the image as a referrer. The image is the metadata
 * component (type `container`), the OS a component of type `operating-system`, and every
 * package a `library` named by its purl, with where it was found as a property.
 */
import { randomUUID } from 'node:crypto';
import { type DetectedPackage, type PackageInventory } from '../packages/package';
import { purl } from '../packages/purl';

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

type Component = Record<string, unknown>;

export function buildCycloneDxSbom(
  subject: SbomSubject,
  inventory: PackageInventory,
  options: SbomOptions = {},
): CycloneDxBom {
  const components: Component[] = [];
  if (inventory.os) {
    components.push({
      type: 'operating-system',
      'bom-ref': `os:${inventory.os.id}`,
      name: inventory.os.id,
      ...(inventory.os.versionId ? { version: inventory.os.versionId } : {}),
      ...(inventory.os.prettyName ? { description: inventory.os.prettyName } : {}),
    });
  }
  const refs = new Map<string, number>();
  for (const pkg of inventory.packages)
    components.push(packageComponent(pkg, uniqueRef(pkg.purl, refs)));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (options.timestamp ?? new Date()).toISOString(),
      tools: { components: [{ type: 'application', name: 'meridian-scan' }] },
      component: imageComponent(subject),
    },
    components,
  };
}

function imageComponent(subject: SbomSubject): Component {
  const name = subject.repository.slice(subject.repository.lastIndexOf('/') + 1);
  return {
    type: 'container',
    'bom-ref': subject.digest,
    name: subject.repository,
    version: subject.digest,
    purl: purl('oci', undefined, name, subject.digest, {
      repository_url: subject.repository,
      tag: subject.tag,
    }),
  };
}

function packageComponent(pkg: DetectedPackage, ref: string): Component {
  return {
    type: 'library',
    'bom-ref': ref,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    ...(pkg.licenses?.length
      ? { licenses: pkg.licenses.map((name) => ({ license: { name } })) }
      : {}),
    properties: [
      { name: 'meridian:ecosystem', value: pkg.ecosystem },
      { name: 'meridian:location', value: pkg.location },
      ...(pkg.sourceName
        ? [
            {
              name: 'meridian:source-package',
              value: `${pkg.sourceName} ${pkg.sourceVersion ?? pkg.version}`,
            },
          ]
        : []),
    ],
  };
}

/** A purl is the natural bom-ref; the same package found in two places gets a numbered second one. */
function uniqueRef(base: string, refs: Map<string, number>): string {
  const count = refs.get(base) ?? 0;
  refs.set(base, count + 1);
  return count === 0 ? base : `${base}#${count + 1}`;
}
