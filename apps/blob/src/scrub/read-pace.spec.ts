import { type PaceClock, ReadPace } from './read-pace';

function fakeClock(): PaceClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    async sleep(ms) {
      slept.push(ms);
      now += ms;
    },
  };
}

describe(ReadPace.name, () => {
  it('lets a second of reading through at once, then holds reads to the rate', async () => {
    const clock = fakeClock();
    const sut = new ReadPace(1000, clock);

    await sut.take(1000);
    expect(clock.slept).toEqual([]);
    await sut.take(500);
    expect(clock.slept).toEqual([500]);
    await sut.take(250);
    expect(clock.slept).toEqual([500, 250]);
    expect(clock.now()).toBe(750);
  });

  it('reads 10 MiB at 2 MiB/s in about four seconds after the first second', async () => {
    const clock = fakeClock();
    const MiB = 1024 * 1024;
    const sut = new ReadPace(2 * MiB, clock);
    for (let read = 0; read < 10 * MiB; read += 64 * 1024) await sut.take(64 * 1024);
    expect(clock.now()).toBeCloseTo(4000, 0);
  });

  it('does not bank more than a second of idle time', async () => {
    const clock = fakeClock();
    const sut = new ReadPace(1000, clock);
    await clock.sleep(60_000);
    clock.slept.length = 0;
    await sut.take(3000);
    expect(clock.slept).toEqual([2000]);
  });
});
