/**
 * A peer's clock readings, bounded. Every replicated write is settled by its hybrid logical
 * clock reading (newest wins), and applying one merges it into this region's clock; a peer
 * whose wall clock runs hours ahead would otherwise stamp writes that win over every write
 * made anywhere until real time catches up, and drag this region's clock along. So a reading
 * more than the allowed skew (MERIDIAN_MAX_CLOCK_SKEW_SECONDS) ahead of this region's wall
 * clock is clamped to that bound on receipt, and logged: the write still applies, as the
 * newest write of its moment, and later writes win over it as they should.
 *
 * The origin region keeps its own reading, so its copy may settle differently from the
 * clamped ones until its clock is fixed; that is the price of a wrong clock, paid by that
 * region's writes only.
 */
import { type Hlc, formatHlc, parseHlc } from '@meridian/contracts';

/** MERIDIAN_MAX_CLOCK_SKEW_SECONDS' default */
export const defaultMaxClockSkewMs = 300_000;

/** `reading` clamped to `maxWallMs`; the same reading when it is not ahead of it. */
export function clampReading(reading: Hlc, maxWallMs: number): Hlc {
  const { wallMs, counter, region } = parseHlc(reading);
  if (wallMs <= maxWallMs) return reading;
  return formatHlc({ wallMs: Math.floor(maxWallMs), counter, region });
}

/** Whether `reading` is further ahead of `nowMs` than `maxSkewMs`. */
export function isAhead(reading: Hlc, nowMs: number, maxSkewMs: number): boolean {
  return parseHlc(reading).wallMs > nowMs + maxSkewMs;
}

/**
 * The event `payload` with its `hlc` clamped to `nowMs + maxSkewMs`, and the reading it had
 * when it was clamped; the payload itself otherwise (or when it carries no reading).
 */
export function clampEventReading(
  payload: unknown,
  nowMs: number,
  maxSkewMs: number,
): { payload: unknown; clampedFrom?: Hlc } {
  if (typeof payload !== 'object' || payload === null) return { payload };
  const { hlc } = payload as { hlc?: unknown };
  if (typeof hlc !== 'string' || !/^\d{15}\./.test(hlc)) return { payload };
  if (!isAhead(hlc, nowMs, maxSkewMs)) return { payload };
  return { payload: { ...payload, hlc: clampReading(hlc, nowMs + maxSkewMs) }, clampedFrom: hlc };
}
