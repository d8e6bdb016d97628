/**
 * NATS naming. Subjects are built here and nowhere else.
 *   RPC:    meridian.<region>.rpc.<service>.<verb>.v<n>
 *   events: meridian.<region>.evt.<resource>.<past-tense-verb>.v<n>
 *   pulls:  meridian.<region>.pulls.<resource>.<past-tense-verb>.v<n> (kept apart from the
 *           events: many, short-lived, never replicated)
 * Names, tags and digests travel in payloads, never in subjects.
 */
import { z } from 'zod';

/** A region id: lowercase letters, digits and dashes (`us-east`, `eu-west`). */
export const RegionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 'region ids are lowercase letters, digits and dashes');
export type RegionId = z.infer<typeof RegionId>;

/**
 * An RPC's name without its region, `<service>.<verb>.v<n>`: the pattern its handler
 * declares (`@MessagePattern`), since the region a service runs in is known only at boot.
 */
export function rpcPattern(service: string, verb: string, version = 1): string {
  return `${service}.${verb}.v${version}`;
}

export function rpcSubject(region: string, service: string, verb: string, version = 1): string {
  return rpcSubjectOfPattern(region, rpcPattern(service, verb, version));
}

/** The subject on which `region` serves the RPC named by `pattern`. */
export function rpcSubjectOfPattern(region: string, pattern: string): string {
  return `meridian.${region}.rpc.${pattern}`;
}

/** The pattern (`manifest.get.v1`) of an RPC subject, or undefined for another subject. */
export function rpcPatternOfSubject(subject: string): string | undefined {
  const match = /^meridian\.[a-z0-9-]+\.rpc\.(.+)$/.exec(subject);
  return match?.[1];
}

/** Every RPC of `service` in `region` (`*` for any region), for a permission or a subscription. */
export function rpcSubjectWildcard(region: string, service: string): string {
  return `meridian.${region}.rpc.${service}.>`;
}

/** Every version of one RPC of `service` in `region` (`*`: any region). */
export function rpcVerbWildcard(region: string, service: string, verb: string): string {
  return `meridian.${region}.rpc.${service}.${verb}.>`;
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

/**
 * The stream in which replication keeps copies of every peer region's events:
 * `MERIDIAN_US_EAST_PEER_EVENTS` (apps/replication/src/events/event-streams.ts).
 */
export function peerEventsStreamName(region: string): string {
  return `MERIDIAN_${region.toUpperCase().replace(/-/g, '_')}_PEER_EVENTS`;
}

/**
 * `name` is an event name, e.g. `image.pulled.v1`: a pull's subject, outside the events'
 * subject space so that no events stream (and no replication source) takes it.
 */
export function pullSubject(region: string, name: string): string {
  return `meridian.${region}.pulls.${name}`;
}

/** All pulls of a region, for the pulls stream's subject filter. */
export function pullSubjectWildcard(region: string): string {
  return `meridian.${region}.pulls.>`;
}

/** The JetStream stream that holds a region's pulls, briefly: `MERIDIAN_US_EAST_PULLS`. */
export function pullStreamName(region: string): string {
  return `MERIDIAN_${region.toUpperCase().replace(/-/g, '_')}_PULLS`;
}

/** The event name (`image.pulled.v1`) of a pull subject, or undefined for another subject. */
export function pullNameOfSubject(subject: string): string | undefined {
  const match = /^meridian\.[a-z0-9-]+\.pulls\.(.+)$/.exec(subject);
  return match?.[1];
}
