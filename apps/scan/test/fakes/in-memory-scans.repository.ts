/** An in-memory ScansRepository for unit tests of the scan rules; events kept in order. */
import type { EventDefinition, ScanFinding } from '@meridian/contracts';
import type { z } from 'zod';
import type { ScannedImage, StoredReport } from '../../src/scans/scanned-image';
import type { ScansRepository } from '../../src/scans/scans.repository';

export interface RecordedEvent {
  name: string;
  payload: Record<string, unknown>;
}

export class InMemoryScansRepository implements ScansRepository {
  readonly images = new Map<string, ScannedImage>();
  readonly reports = new Map<string, StoredReport>();
  readonly events: RecordedEvent[] = [];

  async findImage(digest: string): Promise<ScannedImage | undefined> {
    return this.images.get(digest);
  }

  async saveImage(image: ScannedImage): Promise<void> {
    this.images.set(image.digest, image);
  }

  async imagesMatchedWith(notFingerprint: string): Promise<ScannedImage[]> {
    return [...this.images.values()].filter((image) => image.fingerprint !== notFingerprint);
  }

  async updateFindings(
    digest: string,
    findings: ScanFinding[],
    fingerprint: string,
  ): Promise<void> {
    const image = this.images.get(digest);
    if (image) this.images.set(digest, { ...image, findings, fingerprint });
  }

  async findReport(repository: string, digest: string): Promise<StoredReport | undefined> {
    return this.reports.get(`${repository}@${digest}`);
  }

  async reportsContaining(imageDigest: string): Promise<StoredReport[]> {
    return [...this.reports.values()].filter((report) =>
      report.images.some((image) => image.digest === imageDigest),
    );
  }

  async saveReport<S extends z.ZodType>(
    report: StoredReport,
    event: { def: EventDefinition<S>; payload: z.infer<S> },
  ): Promise<void> {
    const payload = JSON.parse(JSON.stringify(event.def.schema.parse(event.payload)));
    this.events.push({ name: event.def.name, payload: payload as Record<string, unknown> });
    this.reports.set(`${report.repository}@${report.digest}`, report);
  }
}
