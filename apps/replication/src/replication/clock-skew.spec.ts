import { formatHlc, parseHlc } from '@meridian/contracts';
import { clampEventReading, clampReading, isAhead } from './clock-skew';

const now = Date.parse('2026-12-06T12:00:00Z');
const skewMs = 300_000;
const reading = (wallMs: number, counter = 3) => formatHlc({ wallMs, counter, region: 'us-east' });

describe('clock skew', () => {
  it('leaves a reading within the allowed skew as it is', () => {
    const { payload, clampedFrom } = clampEventReading(
      { repository: 'team/app', hlc: reading(now + skewMs) },
      now,
      skewMs,
    );
    expect(payload).toEqual({ repository: 'team/app', hlc: reading(now + skewMs) });
    expect(clampedFrom).toBeUndefined();
  });

  it('clamps a reading far in the future to now plus the allowed skew, keeping counter and region', () => {
    const future = reading(now + 24 * 3_600_000, 7);
    const { payload, clampedFrom } = clampEventReading(
      { repository: 'team/app', hlc: future },
      now,
      skewMs,
    );
    expect(clampedFrom).toBe(future);
    const clamped = (payload as { hlc: string }).hlc;
    expect(parseHlc(clamped)).toEqual({ wallMs: now + skewMs, counter: 7, region: 'us-east' });
    // a write made here a little after the bound wins over the clamped one
    expect(reading(now + skewMs + 1, 0) > clamped).toBe(true);
  });

  it('passes events without a clock reading through', () => {
    expect(clampEventReading({ eventId: 'x' }, now, skewMs).payload).toEqual({ eventId: 'x' });
    expect(clampEventReading(undefined, now, skewMs).payload).toBeUndefined();
  });

  it('tells whether a reading is ahead of the bound', () => {
    expect(isAhead(reading(now + skewMs + 1), now, skewMs)).toBe(true);
    expect(isAhead(reading(now + skewMs), now, skewMs)).toBe(false);
    expect(clampReading(reading(now), now + skewMs)).toBe(reading(now));
  });
});
