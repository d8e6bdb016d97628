/**
 * Scanning a push. A push of an image (or of an index: each platform image) in this region is
 * read once per image digest: its layers' packages are kept, matched against the advisory
 * database, and the result becomes a report, an SBOM and a report referrer attached to the
 * image, `scan.completed.v1`, and the quarantine decision (passed when no finding is at or
 * above MERIDIAN_QUARANTINE_SEVERITY and every layer could be read, failed otherwise). What
 * becomes of a report afterwards (served, re-matched) is scan-reports.service.ts.
 *
 * Every step is idempotent, so an event redelivered after a crash ends the same way: images
 * are keyed by digest, the SBOM and report documents are built deterministically from what is
 * stored (same bytes, same referrer), the report row is replaced, and the quarantine decision
 * only ever changes a quarantined image.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type ManifestPushed,
  type ScanFinding,
  type Severity,
  scanCompleted,
  scanReportArtifactType,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import {
  type ScanError,
  buildCycloneDxSbom,
  cycloneDxMediaType,
  describeScanError,
  isAtLeast,
} from '@meridian/scanning';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { AdvisoryMatcher } from '../advisories/advisory-matcher';
import { ReferrerPublisher } from '../referrers/referrer-publisher';
import { LayerReader } from './layer-reader';
import { type ImageEntry, scannableImages } from './read-pushed-manifest';
import { RegistryClient } from './registry.client';
import { countBySeverity, renderReport } from './render-report';
import { type ScanSettings, scanSettingsToken } from './scan.settings';
import { type ScannedImage, type StoredReport, findingKey } from './scanned-image';
import { ScansRepository } from './scans.repository';

/** errors a scan.completed event carries at most (the report has them all) */
const maxEventErrors = 50;

@Injectable()
export class ScansService {
  constructor(
    private readonly scans: ScansRepository,
    private readonly layers: LayerReader,
    private readonly advisories: AdvisoryMatcher,
    private readonly referrers: ReferrerPublisher,
    private readonly registry: RegistryClient,
    private readonly outbox: Outbox,
    @Inject(scanSettingsToken) private readonly settings: ScanSettings,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Scans a push of this region; referrers and other artifacts are left alone. */
  async scanPushed(push: ManifestPushed): Promise<void> {
    const body = Buffer.from(push.body, 'base64');
    const entries = await scannableImages(push, body, (digest) =>
      this.registry.manifest(push.repository, digest),
    );
    if (entries === undefined) return;
    // what the image's last report said, before a re-match below changes the stored findings
    const previous = await this.scans.findReport(push.repository, push.digest);
    const before = new Set(previous ? await this.findingKeysOf(previous) : []);
    const images: ScannedImage[] = [];
    for (const entry of entries) images.push(await this.scanImage(entry));
    const stored: StoredReport = {
      repository: push.repository,
      digest: push.digest,
      mediaType: push.mediaType,
      ...(push.tag === undefined ? {} : { tag: push.tag }),
      images: entries.map(({ digest, platform }) => ({ digest, platform })),
      scannedAt: earliest(images.map((image) => image.scannedAt)),
    };
    const subject = {
      repository: push.repository,
      digest: push.digest,
      mediaType: push.mediaType,
      size: push.size,
    };
    const sbomDigest = await this.referrers.attach(subject, {
      artifactType: cycloneDxMediaType,
      bytes: Buffer.from(JSON.stringify(this.sbomOf(stored, images))),
    });
    const document = renderReport({ ...stored, sbomDigest }, images);
    const reportDigest = await this.referrers.attach(subject, {
      artifactType: scanReportArtifactType,
      bytes: Buffer.from(JSON.stringify(document)),
    });
    const report = { ...stored, sbomDigest, reportDigest };
    const findings = images.flatMap((image) => image.findings);
    await this.scans.saveReport(report, {
      def: scanCompleted,
      payload: {
        ...this.outbox.envelope({ actor: { name: 'meridian-scan' } }),
        repository: push.repository,
        digest: push.digest,
        mediaType: push.mediaType,
        ...(push.tag === undefined ? {} : { tag: push.tag }),
        findings: countBySeverity(findings),
        newFindings: findings.filter((finding) => !before.has(findingKey(finding))).length,
        reportDigest,
        sbomDigest,
        errors: images.flatMap((image) => image.readErrors).slice(0, maxEventErrors),
      },
    });
    await this.decideQuarantine(push, images);
    this.logger.info(
      {
        repository: push.repository,
        digest: push.digest,
        images: images.length,
        findings: findings.length,
      },
      'image scanned',
    );
  }

  /** The stored image, matched again when its findings came from another database. */
  private async scanImage(entry: ImageEntry): Promise<ScannedImage> {
    const stored = await this.scans.findImage(entry.digest);
    if (stored && stored.fingerprint === this.advisories.fingerprint) return stored;
    if (stored) {
      const { findings } = this.advisories.match(stored.packages);
      await this.scans.updateFindings(stored.digest, findings, this.advisories.fingerprint);
      return { ...stored, findings };
    }
    const contents = await this.layers.read(entry.layers);
    const matched = this.advisories.match(contents.packages);
    const errors: ScanError[] = [...contents.errors, ...matched.errors];
    const now = new Date().toISOString();
    const image: ScannedImage = {
      digest: entry.digest,
      ...(contents.os ? { os: contents.os } : {}),
      packages: contents.packages,
      readErrors: errors.map(describeScanError),
      unreadable: contents.errors.some((error) => error.scope === 'layer'),
      findings: matched.findings,
      fingerprint: this.advisories.fingerprint,
      scannedAt: now,
      matchedAt: now,
    };
    await this.scans.saveImage(image);
    return image;
  }

  private async findingKeysOf(report: StoredReport): Promise<string[]> {
    const images = await Promise.all(
      report.images.map((image) => this.scans.findImage(image.digest)),
    );
    return images.flatMap((image) => image?.findings.map(findingKey) ?? []);
  }

  private async decideQuarantine(push: ManifestPushed, images: ScannedImage[]): Promise<void> {
    const threshold = this.settings.quarantineSeverity;
    const blocking = images
      .flatMap((image) => image.findings)
      .filter((finding) => isAtLeast(finding.severity, threshold));
    const unreadable = images.filter((image) => image.unreadable).map((image) => image.digest);
    const failed = blocking.length > 0 || unreadable.length > 0;
    const details = failed
      ? describeFailure(blocking, unreadable, threshold)
      : `no finding at or above ${threshold}`;
    await this.registry.decideQuarantine(
      push.repository,
      push.digest,
      failed ? 'failed' : 'passed',
      details,
    );
  }

  private sbomOf(report: StoredReport, images: ScannedImage[]) {
    const hex = report.digest.slice(report.digest.indexOf(':') + 1);
    return buildCycloneDxSbom(
      { repository: report.repository, digest: report.digest, tag: report.tag },
      { os: images[0]?.os, packages: images.flatMap((image) => image.packages), errors: [] },
      {
        timestamp: new Date(report.scannedAt),
        serialNumber: `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
      },
    );
  }
}

function describeFailure(
  blocking: ScanFinding[],
  unreadable: string[],
  threshold: Severity,
): string {
  const parts: string[] = [];
  if (blocking.length > 0) {
    const ids = [...new Set(blocking.map((finding) => finding.aliases[0] ?? finding.id))];
    parts.push(
      `${blocking.length} finding(s) at or above ${threshold}: ${ids.slice(0, 10).join(', ')}`,
    );
  }
  if (unreadable.length > 0) parts.push(`layers of ${unreadable.join(', ')} could not be read`);
  return parts.join('; ');
}

function earliest(times: string[]): string {
  return [...times].sort()[0] ?? new Date().toISOString();
}
