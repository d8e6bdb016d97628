import { formatBytes, formatDuration, formatTime, shortDigest } from './format';

describe('format', () => {
  it('writes sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(undefined)).toBe('—');
  });

  it('writes times in UTC to the second', () => {
    expect(formatTime('2026-12-06T15:22:28.123Z')).toBe('2026-12-06 15:22:28 UTC');
    expect(formatTime('not a date')).toBe('—');
    expect(formatTime(undefined)).toBe('—');
  });

  it('writes durations for people', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });

  it('shortens a digest to its algorithm and 12 hex digits', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
  });
});
