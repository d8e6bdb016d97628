/**
 * The part of the OSV schema (ossf.github.io/osv-schema) Meridian relies on, as zod: a file
 * that does not fit is reported, not half-used. Unknown fields are allowed, as OSV asks of
 * its readers; withdrawn advisories parse and are then left out.
 */
import { z } from 'zod';

const RangeEvent = z
  .object({
    introduced: z.string().min(1).optional(),
    fixed: z.string().min(1).optional(),
    last_affected: z.string().min(1).optional(),
    limit: z.string().min(1).optional(),
  })
  .refine((event) => Object.values(event).filter((value) => value !== undefined).length === 1, {
    message: 'each range event has exactly one of introduced, fixed, last_affected, limit',
  });

const Range = z.object({
  type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
  events: z.array(RangeEvent).min(1),
});

const SeverityEntry = z.object({ type: z.string(), score: z.string() });

const SpecificSeverity = z.looseObject({ severity: z.unknown().optional() }).optional();

const Affected = z.object({
  package: z.object({
    ecosystem: z.string().min(1),
    name: z.string().min(1),
    purl: z.string().optional(),
  }),
  ranges: z.array(Range).default([]),
  versions: z.array(z.string()).default([]),
  severity: z.array(SeverityEntry).optional(),
  ecosystem_specific: SpecificSeverity,
  database_specific: SpecificSeverity,
});

export const OsvRecord = z.object({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: z.string().min(1),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  summary: z.string().optional(),
  severity: z.array(SeverityEntry).default([]),
  affected: z.array(Affected).default([]),
  database_specific: SpecificSeverity,
});
export type OsvRecord = z.infer<typeof OsvRecord>;
