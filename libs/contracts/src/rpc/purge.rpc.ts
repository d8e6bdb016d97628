/**
 * Purge on demand (ACR's `acr purge`), answered by the manifest service: a job that deletes
 * the tags matching `filters` last updated longer than `ago` ago, keeping the `keep` newest
 * of them per repository, and with `untagged` the manifests left without a tag (older than
 * `ago`) with their referrers. A dry run reports what the real run would delete; both plan
 * with the same code. Locked items are reported as skipped, never deleted.
 *
 * ReDoS: JavaScript's RegExp has no backtracking limit, so a pattern is bounded instead of
 * timed: at most `maxPatternLength` characters, always anchored (`^(?:…)$`, as ACR anchors
 * its filters), and only ever run against repository and tag names (≤ 255 and ≤ 128
 * characters by the OCI grammar), at most `maxNamesPerJob` of them per job.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';

export const maxPatternLength = 256;
export const maxNamesPerJob = 100_000;

const Pattern = z
  .string()
  .min(1)
  .max(maxPatternLength)
  .refine((pattern) => compiles(pattern), 'not a valid regular expression');

function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A pattern as the job runs it: anchored at both ends, like ACR's filters. */
export function purgePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

export const PurgeFilter = z.strictObject({ repository: Pattern, tag: Pattern });
export type PurgeFilter = z.infer<typeof PurgeFilter>;

/** ACR's `--ago`: days and/or hours, `30d`, `2h`, `1d3h`, `0d`. */
export const PurgeAgo = z
  .string()
  .regex(/^(?:\d{1,5}d)?(?:\d{1,6}h)?$/, 'use e.g. 30d, 2h or 1d3h')
  .refine((ago) => ago !== '', 'use e.g. 30d, 2h or 1d3h');

/** `ago` in milliseconds. */
export function agoMilliseconds(ago: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?$/.exec(ago);
  if (!match) throw new Error(`not a duration: ${ago}`);
  return (Number(match[1] ?? 0) * 24 + Number(match[2] ?? 0)) * 3_600_000;
}

export const PurgeRequest = z.strictObject({
  filters: z.array(PurgeFilter).min(1).max(32),
  ago: PurgeAgo,
  untagged: z.boolean().default(false),
  keep: z.number().int().nonnegative().max(1_000_000).default(0),
  dryRun: z.boolean().default(false),
});
export type PurgeRequest = z.infer<typeof PurgeRequest>;

export const PurgeStatus = z.enum(['running', 'succeeded', 'failed']);
export type PurgeStatus = z.infer<typeof PurgeStatus>;

/**
 * One item of the job: a tag or a manifest, what happened to it (or, in a dry run, would)
 * and why. `kept` is a match spared by `keep`; `skipped` names the lock or the change that
 * spared it.
 */
export const PurgeItem = z.object({
  repository: RepositoryName,
  kind: z.enum(['tag', 'manifest']),
  tag: TagName.optional(),
  digest: Digest,
  action: z.enum(['deleted', 'kept', 'skipped']),
  reason: z.string(),
});
export type PurgeItem = z.infer<typeof PurgeItem>;

export const PurgeJob = z.object({
  id: z.uuid(),
  status: PurgeStatus,
  request: PurgeRequest,
  createdTime: z.iso.datetime(),
  finishedTime: z.iso.datetime().optional(),
  /** why a failed job failed */
  error: z.string().optional(),
  progress: z.object({
    repositoriesDone: z.number().int().nonnegative(),
    repositoriesMatched: z.number().int().nonnegative(),
    tagsDeleted: z.number().int().nonnegative(),
    manifestsDeleted: z.number().int().nonnegative(),
    kept: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
  }),
  items: z.array(PurgeItem),
});
export type PurgeJob = z.infer<typeof PurgeJob>;

export const purgeRpc = {
  /** Starts a job; answers at once with its id, the work goes on in the manifest service. */
  start: defineRpc({
    service: 'manifest',
    verb: 'purge-start',
    request: PurgeRequest,
    response: z.object({ id: z.uuid(), status: PurgeStatus }),
  }),
  /** The job with its items, in the order they were decided; RESOURCE_UNKNOWN for no such job. */
  get: defineRpc({
    service: 'manifest',
    verb: 'purge-get',
    request: z.object({ id: z.uuid() }),
    response: PurgeJob,
  }),
} as const;
