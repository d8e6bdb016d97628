/**
 * NATS naming. Subjects are built here and nowhere else.
 *   RPC:    meridian.<region>.rpc.<service>.<verb>.v<n>
 *   events: meridian.<region>.evt.<resource>.<past-tense-verb>.v<n>
 * Names, tags and digests travel in payloads, never in subjects.
 */
import { z } from 'zod';

/** A region id: lowercase letters, digits and dashes (`us-east`, `eu-west`). */
export const RegionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 'region ids are lowercase letters, digits and dashes');
export type RegionId = z.infer<typeof RegionId>;

export function rpcSubject(region: string, service: string, verb: string, version = 1): string {
  return `meridian.${region}.rpc.${service}.${verb}.v${version}`;
}

/** `name` is `<resource>.<verb>.v<n>`, e.g. `manifest.pushed.v1`. */
export function eventSubject(region: string, name: string): string {
  return `meridian.${region}.evt.${name}`;
}

/** All events of a region, for a stream's subject filter. */
export function eventSubjectWildcard(region: string): string {
  return `meridian.${region}.evt.>`;
}

/** The JetStream stream that holds a region's events: `MERIDIAN_US_EAST_EVENTS`. */
export function eventStreamName(region: string): string {
  return `MERIDIAN_${region.toUpperCase().replace(/-/g, '_')}_EVENTS`;
}

/** The event name (`manifest.pushed.v1`) of a subject, or undefined for a foreign subject. */
export function eventNameOfSubject(subject: string): string | undefined {
  const match = /^meridian\.[a-z0-9-]+\.evt\.(.+)$/.exec(subject);
  return match?.[1];
}
