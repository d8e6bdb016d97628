/**
 * In-memory stand-ins for what the scan rules talk to: layers whose packages the test names,
 * an advisory database as a list of findings per package name, a referrer publisher that
 * remembers what it attached, and a registry that records quarantine decisions.
 */
import type { ScanFinding } from '@meridian/contracts';
import { sha256Digest } from '@meridian/oci';
import type { DetectedPackage, ScanError } from '@meridian/scanning';
import { AdvisoryMatcher, type Matched } from '../../src/advisories/advisory-matcher';
import type { Document, ReferrerPublisher, Subject } from '../../src/referrers/referrer-publisher';
import { type ImageContents, LayerReader, type LayerRef } from '../../src/scans/layer-reader';
import { RegistryClient } from '../../src/scans/registry.client';

export class FakeLayerReader extends LayerReader {
  /** contents by the digest of the image's first layer */
  readonly byLayer = new Map<string, ImageContents>();
  reads = 0;

  async read(layers: readonly LayerRef[]): Promise<ImageContents> {
    this.reads += 1;
    return this.byLayer.get(layers[0]?.digest ?? '') ?? { packages: [], errors: [] };
  }
}

export class FakeAdvisoryMatcher extends AdvisoryMatcher {
  fingerprint = 'db-1';
  readonly errors: ScanError[] = [];
  /** advisories by package name */
  advisories = new Map<string, Omit<ScanFinding, 'package'>[]>();

  match(packages: readonly DetectedPackage[]): Matched {
    const findings = packages.flatMap((pkg) =>
      (this.advisories.get(pkg.name) ?? []).map((advisory) => ({
        ...advisory,
        package: { name: pkg.name, ecosystem: pkg.ecosystem, version: pkg.version },
      })),
    );
    return { findings, errors: [] };
  }

  async reload(): Promise<boolean> {
    return true;
  }
}

export class RecordingReferrerPublisher implements ReferrerPublisher {
  readonly attached: { subject: Subject; artifactType: string; body: unknown }[] = [];

  async attach(subject: Subject, document: Document): Promise<string> {
    this.attached.push({
      subject,
      artifactType: document.artifactType,
      body: JSON.parse(document.bytes.toString('utf8')),
    });
    return sha256Digest(document.bytes);
  }
}

export class FakeRegistryClient extends RegistryClient {
  readonly manifests = new Map<string, { mediaType: string; body: Buffer }>();
  readonly decisions: { digest: string; state: string; details: string }[] = [];

  async manifest(_repository: string, digest: string) {
    const found = this.manifests.get(digest);
    if (!found) throw new Error(`no manifest ${digest}`);
    return found;
  }

  async decideQuarantine(
    _repository: string,
    digest: string,
    state: 'passed' | 'failed',
    details: string,
  ) {
    this.decisions.push({ digest, state, details });
  }
}
