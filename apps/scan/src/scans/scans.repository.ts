/**
 * Scanned images and reports in SQL (schema `scan`, see migrations/). A report and its
 * `scan.completed.v1` event commit together (the outbox), so a report exists if and only if
 * its event will go out.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, ScanFinding } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql } from '@meridian/database';
import type { DetectedPackage, OperatingSystem } from '@meridian/scanning';
import type { z } from 'zod';
import type { ScannedImage, StoredReport } from './scanned-image';

export abstract class ScansRepository {
  abstract findImage(digest: string): Promise<ScannedImage | undefined>;
  abstract saveImage(image: ScannedImage): Promise<void>;
  /** Images whose findings came from another database than `fingerprint`. */
  abstract imagesMatchedWith(notFingerprint: string): Promise<ScannedImage[]>;
  abstract updateFindings(
    digest: string,
    findings: ScanFinding[],
    fingerprint: string,
  ): Promise<void>;
  abstract findReport(repository: string, digest: string): Promise<StoredReport | undefined>;
  abstract reportsContaining(imageDigest: string): Promise<StoredReport[]>;
  /** Stores the report (replacing an older one) and records its event, in one transaction. */
  abstract saveReport<S extends z.ZodType>(
    report: StoredReport,
    event: { def: EventDefinition<S>; payload: z.infer<S> },
  ): Promise<void>;
}

interface ImageRow {
  digest: string;
  os: OperatingSystem | null;
  packages: DetectedPackage[];
  readErrors: string[];
  unreadable: boolean;
  findings: ScanFinding[];
  fingerprint: string;
  scannedAt: Date;
  matchedAt: Date;
}

interface ReportRow {
  repository: string;
  digest: string;
  mediaType: string;
  tag: string | null;
  images: StoredReport['images'];
  reportDigest: string | null;
  sbomDigest: string | null;
  scannedAt: Date;
}

const imageColumns = `digest, os, packages, read_errors as "readErrors", unreadable, findings,
  fingerprint, scanned_at as "scannedAt", matched_at as "matchedAt"`;
const reportColumns = `repository, digest, media_type as "mediaType", tag, images,
  report_digest as "reportDigest", sbom_digest as "sbomDigest", scanned_at as "scannedAt"`;

@Injectable()
export class SqlScansRepository implements ScansRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async findImage(digest: string): Promise<ScannedImage | undefined> {
    const [row] = await this.sql.unsafe<ImageRow[]>(
      `select ${imageColumns} from scan.images where digest = $1`,
      [digest],
    );
    return row && toImage(row);
  }

  async saveImage(image: ScannedImage): Promise<void> {
    const sql = this.sql;
    await sql`
      insert into scan.images
        (digest, os, packages, read_errors, unreadable, findings, fingerprint, scanned_at,
         matched_at)
      values (${image.digest}, ${image.os ? sql.json(image.os as never) : null},
        ${sql.json(image.packages as never)}, ${sql.json(image.readErrors)}, ${image.unreadable},
        ${sql.json(image.findings as never)}, ${image.fingerprint}, ${image.scannedAt},
        ${image.matchedAt})
      on conflict (digest) do update set
        os = excluded.os, packages = excluded.packages, read_errors = excluded.read_errors,
        unreadable = excluded.unreadable, findings = excluded.findings,
        fingerprint = excluded.fingerprint, scanned_at = excluded.scanned_at,
        matched_at = excluded.matched_at`;
  }

  async imagesMatchedWith(notFingerprint: string): Promise<ScannedImage[]> {
    const rows = await this.sql.unsafe<ImageRow[]>(
      `select ${imageColumns} from scan.images where fingerprint <> $1 order by digest`,
      [notFingerprint],
    );
    return rows.map(toImage);
  }

  async updateFindings(
    digest: string,
    findings: ScanFinding[],
    fingerprint: string,
  ): Promise<void> {
    await this.sql`
      update scan.images
      set findings = ${this.sql.json(findings as never)}, fingerprint = ${fingerprint},
        matched_at = now()
      where digest = ${digest}`;
  }

  async findReport(repository: string, digest: string): Promise<StoredReport | undefined> {
    const [row] = await this.sql.unsafe<ReportRow[]>(
      `select ${reportColumns} from scan.reports where repository = $1 and digest = $2`,
      [repository, digest],
    );
    return row && toReport(row);
  }

  async reportsContaining(imageDigest: string): Promise<StoredReport[]> {
    const rows = await this.sql.unsafe<ReportRow[]>(
      `select ${reportColumns} from scan.reports where images @> $1::jsonb
       order by repository, digest`,
      [JSON.stringify([{ digest: imageDigest }])],
    );
    return rows.map(toReport);
  }

  async saveReport<S extends z.ZodType>(
    report: StoredReport,
    event: { def: EventDefinition<S>; payload: z.infer<S> },
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`
        insert into scan.reports
          (repository, digest, media_type, tag, images, report_digest, sbom_digest, scanned_at)
        values (${report.repository}, ${report.digest}, ${report.mediaType}, ${report.tag ?? null},
          ${tx.json(report.images as never)}, ${report.reportDigest ?? null},
          ${report.sbomDigest ?? null}, ${report.scannedAt})
        on conflict (repository, digest) do update set
          media_type = excluded.media_type, tag = coalesce(excluded.tag, reports.tag),
          images = excluded.images, report_digest = excluded.report_digest,
          sbom_digest = excluded.sbom_digest, scanned_at = excluded.scanned_at`;
      await this.outbox.write(tx, event.def, event.payload);
    });
  }
}

function toImage(row: ImageRow): ScannedImage {
  return {
    digest: row.digest,
    ...(row.os ? { os: row.os } : {}),
    packages: row.packages,
    readErrors: row.readErrors,
    unreadable: row.unreadable,
    findings: row.findings,
    fingerprint: row.fingerprint,
    scannedAt: row.scannedAt.toISOString(),
    matchedAt: row.matchedAt.toISOString(),
  };
}

function toReport(row: ReportRow): StoredReport {
  return {
    repository: row.repository,
    digest: row.digest,
    mediaType: row.mediaType,
    ...(row.tag === null ? {} : { tag: row.tag }),
    images: row.images,
    ...(row.reportDigest === null ? {} : { reportDigest: row.reportDigest }),
    ...(row.sbomDigest === null ? {} : { sbomDigest: row.sbomDigest }),
    scannedAt: row.scannedAt.toISOString(),
  };
}
