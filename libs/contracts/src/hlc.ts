/**
 * Hybrid logical clock timestamps. Every write carries one; conflicts between regions are
 * settled by the highest timestamp, ties broken by region id. The string form sorts
 * lexically in the same order as the clock, so Postgres can compare it as text:
 *   <wall ms, 15 digits>.<counter, 6 digits>.<region>
 */
import { z } from 'zod';

export const Hlc = z
  .string()
  .regex(/^\d{15}\.\d{6}\.[a-z][a-z0-9-]*$/, 'not a hybrid logical clock timestamp');
export type Hlc = z.infer<typeof Hlc>;

/**
 * What applying another region's change did: `applied`, or `superseded` when a newer write
 * (by clock reading) holds already. Either way the change is settled and not retried.
 */
export const ApplyOutcome = z.enum(['applied', 'superseded']);
export type ApplyOutcome = z.infer<typeof ApplyOutcome>;

export interface HlcParts {
  wallMs: number;
  counter: number;
  region: string;
}

export function formatHlc({ wallMs, counter, region }: HlcParts): Hlc {
  return `${String(wallMs).padStart(15, '0')}.${String(counter).padStart(6, '0')}.${region}`;
}

export function parseHlc(value: Hlc): HlcParts {
  const [wall, counter, region] = value.split('.');
  return { wallMs: Number(wall), counter: Number(counter), region: region! };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One clock per process and region. `now` is injectable for tests. */
export class HybridLogicalClock {
  private wallMs = 0;
  private counter = 0;

  constructor(
    readonly region: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A timestamp for a local event, greater than every one issued or observed before. */
  tick(): Hlc {
    const physical = this.now();
    if (physical > this.wallMs) {
      this.wallMs = physical;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
    return formatHlc({ wallMs: this.wallMs, counter: this.counter, region: this.region });
  }

  /** Merges a timestamp received from another region, so later local ticks sort after it. */
  observe(remote: Hlc): void {
    const { wallMs, counter } = parseHlc(remote);
    if (wallMs > this.wallMs || (wallMs === this.wallMs && counter > this.counter)) {
      this.wallMs = wallMs;
      this.counter = counter;
    }
  }
}
