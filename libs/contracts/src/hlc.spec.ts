import { HybridLogicalClock, compareHlc, formatHlc, parseHlc } from './hlc';

describe(HybridLogicalClock.name, () => {
  it('ticks strictly upwards even when the wall clock stands still or goes back', () => {
    let now = 1_000;
    const sut = new HybridLogicalClock('us-east', () => now);
    const a = sut.tick();
    const b = sut.tick();
    now = 900; // clock stepped back
    const c = sut.tick();
    expect(compareHlc(a, b)).toBe(-1);
    expect(compareHlc(b, c)).toBe(-1);
    expect(parseHlc(c)).toEqual({ wallMs: 1_000, counter: 2, region: 'us-east' });
  });

  it('orders after a remote reading it observed', () => {
    const sut = new HybridLogicalClock('us-east', () => 1_000);
    const remote = formatHlc({ wallMs: 5_000, counter: 7, region: 'eu-west' });
    sut.observe(remote);
    expect(compareHlc(sut.tick(), remote)).toBe(1);
  });

  it('sorts as text in clock order, ties broken by region id', () => {
    const readings = [
      formatHlc({ wallMs: 10, counter: 0, region: 'us-east' }),
      formatHlc({ wallMs: 9, counter: 5, region: 'us-east' }),
      formatHlc({ wallMs: 10, counter: 0, region: 'eu-west' }),
      formatHlc({ wallMs: 100, counter: 0, region: 'ap-south' }),
    ];
    expect([...readings].sort().map(parseHlc)).toEqual([
      { wallMs: 9, counter: 5, region: 'us-east' },
      { wallMs: 10, counter: 0, region: 'eu-west' },
      { wallMs: 10, counter: 0, region: 'us-east' },
      { wallMs: 100, counter: 0, region: 'ap-south' },
    ]);
  });
});
