/**
 * Events of scanning and quarantine. `scan.completed.v1` feeds the `scan` webhook action and
 * tells the registry a report exists; `quarantine.changed.v1` feeds the `quarantine` action
 * and, when an image passes, lets the `push` webhooks of every region where it is ready fire.
 * Both replicate like every other event.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineEvent } from '../define';
import { EventEnvelope } from './envelope';

export const Severity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
export type Severity = z.infer<typeof Severity>;

export const QuarantineState = z.enum(['quarantined', 'passed', 'failed']);
export type QuarantineState = z.infer<typeof QuarantineState>;

export const scanCompleted = defineEvent({
  name: 'scan.completed.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    /** the scanned image (for an index, the index; each platform image is in the report) */
    digest: Digest,
    mediaType: z.string(),
    tag: TagName.optional(),
    /** findings by severity */
    findings: z.record(Severity, z.number().int().nonnegative()),
    /** findings not in the previous report of this image (a rescan after a database change) */
    newFindings: z.number().int().nonnegative(),
    /** the report and SBOM referrers attached to the image */
    reportDigest: Digest.optional(),
    sbomDigest: Digest.optional(),
    /** layers or files that could not be read; the scan still completed */
    errors: z.array(z.string()).default([]),
  }),
});
export type ScanCompleted = z.infer<typeof scanCompleted.schema>;

export const quarantineChanged = defineEvent({
  name: 'quarantine.changed.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    digest: Digest,
    mediaType: z.string(),
    size: z.number().int().nonnegative(),
    tag: TagName.optional(),
    state: QuarantineState,
    details: z.string().optional(),
  }),
});
export type QuarantineChanged = z.infer<typeof quarantineChanged.schema>;

/**
 * The registry's quarantine setting changed (kept by the manifest service, which quarantines
 * every push while it is on). Replicated so every region quarantines the same way; the newest
 * change by clock reading wins.
 */
export const quarantineSettingChanged = defineEvent({
  name: 'quarantine-setting.changed.v1',
  schema: EventEnvelope.extend({ enabled: z.boolean() }),
});
export type QuarantineSettingChanged = z.infer<typeof quarantineSettingChanged.schema>;

export const scanEvents = [scanCompleted, quarantineChanged, quarantineSettingChanged] as const;
