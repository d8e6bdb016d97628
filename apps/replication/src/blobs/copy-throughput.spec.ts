import { CopyThroughput } from './copy-throughput';

describe(CopyThroughput.name, () => {
  it('averages the bytes copied from each peer over the last minute', () => {
    let now = 1_000_000;
    const sut = new CopyThroughput(() => now);
    sut.record('us-east', 60 * 1024);
    now += 30_000;
    sut.record('us-east', 60 * 1024);
    sut.record('ap-south', 600);
    expect(sut.bytesPerSecond('us-east')).toBe(2048);
    expect(sut.bytesPerSecond('ap-south')).toBe(10);
    expect(sut.bytesPerSecond('eu-north')).toBe(0);
  });

  it('forgets copies older than a minute', () => {
    let now = 1_000_000;
    const sut = new CopyThroughput(() => now);
    sut.record('us-east', 6000);
    now += 61_000;
    expect(sut.bytesPerSecond('us-east')).toBe(0);
  });
});
