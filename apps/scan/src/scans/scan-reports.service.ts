/**
 * The scan reports after their scan: served as stored (`scan.report`), and kept current when
 * the advisory database changes. A re-match reads no layer: every image matched with another
 * database is matched again from its stored packages, and each report that gained findings is
 * attached again as a report referrer (so other regions, which read reports from referrers,
 * see them) and announced with `scan.completed.v1`.
 */
import { Injectable } from '@nestjs/common';
import {
  RegistryError,
  type ScanReport,
  scanCompleted,
  scanReportArtifactType,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { AdvisoryMatcher } from '../advisories/advisory-matcher';
import { ReferrerPublisher } from '../referrers/referrer-publisher';
import { RegistryClient } from './registry.client';
import { countBySeverity, renderReport } from './render-report';
import { type ScannedImage, type StoredReport, findingKey } from './scanned-image';
import { ScansRepository } from './scans.repository';

@Injectable()
export class ScanReportsService {
  constructor(
    private readonly scans: ScansRepository,
    private readonly advisories: AdvisoryMatcher,
    private readonly referrers: ReferrerPublisher,
    private readonly registry: RegistryClient,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** The stored report of a pushed manifest, as the gateway serves it. */
  async report(repository: string, digest: string): Promise<ScanReport> {
    const stored = await this.scans.findReport(repository, digest);
    if (!stored) {
      throw new RegistryError('MANIFEST_UNKNOWN', 'no scan report for this manifest', {
        repository,
        digest,
      });
    }
    return renderReport(stored, await this.storedImages(stored));
  }

  /**
   * After the advisory database changed: re-matches every image matched with another one,
   * from its stored packages, and announces `scan.completed.v1` for each report that gained
   * findings. Returns how many images were re-matched.
   */
  async rematch(): Promise<number> {
    const fingerprint = this.advisories.fingerprint;
    const stale = await this.scans.imagesMatchedWith(fingerprint);
    const added = new Map<string, number>();
    for (const image of stale) {
      const { findings } = this.advisories.match(image.packages);
      const before = new Set(image.findings.map(findingKey));
      const fresh = findings.filter((finding) => !before.has(findingKey(finding))).length;
      await this.scans.updateFindings(image.digest, findings, fingerprint);
      if (fresh > 0) added.set(image.digest, fresh);
    }
    await this.announceNewFindings(added);
    if (stale.length > 0)
      this.logger.info({ images: stale.length, fingerprint }, 'images re-matched');
    return stale.length;
  }

  private async announceNewFindings(added: Map<string, number>): Promise<void> {
    const announced = new Set<string>();
    for (const digest of added.keys()) {
      for (const stored of await this.scans.reportsContaining(digest)) {
        const key = `${stored.repository}@${stored.digest}`;
        if (announced.has(key)) continue;
        announced.add(key);
        const images = await this.storedImages(stored);
        const reportDigest = (await this.reattachReport(stored, images)) ?? stored.reportDigest;
        await this.scans.saveReport(
          { ...stored, reportDigest },
          {
            def: scanCompleted,
            payload: {
              ...this.outbox.envelope({ actor: { name: 'meridian-scan' } }),
              repository: stored.repository,
              digest: stored.digest,
              mediaType: stored.mediaType,
              ...(stored.tag === undefined ? {} : { tag: stored.tag }),
              findings: countBySeverity(images.flatMap((image) => image.findings)),
              newFindings: stored.images.reduce(
                (sum, image) => sum + (added.get(image.digest) ?? 0),
                0,
              ),
              reportDigest,
              sbomDigest: stored.sbomDigest,
              errors: [],
            },
          },
        );
      }
    }
  }

  /** Attaches the re-matched report as a new report referrer. Undefined when the image is gone. */
  private async reattachReport(
    stored: StoredReport,
    images: ScannedImage[],
  ): Promise<string | undefined> {
    try {
      const subject = await this.registry.manifest(stored.repository, stored.digest);
      return await this.referrers.attach(
        {
          repository: stored.repository,
          digest: stored.digest,
          mediaType: subject.mediaType,
          size: subject.body.byteLength,
        },
        {
          artifactType: scanReportArtifactType,
          bytes: Buffer.from(JSON.stringify(renderReport(stored, images))),
        },
      );
    } catch (err) {
      this.logger.warn(
        { err, repository: stored.repository, digest: stored.digest },
        'the re-matched report could not be attached',
      );
      return undefined;
    }
  }

  private storedImages(report: StoredReport): Promise<ScannedImage[]> {
    return Promise.all(
      report.images.map(async ({ digest }) => {
        const image = await this.scans.findImage(digest);
        if (!image) throw new Error(`the report names image ${digest}, which is not stored`);
        return image;
      }),
    );
  }
}
