import { formatDuration, parseDuration } from './parse-duration';

describe(parseDuration.name, () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10 minutes', '5d', 'm10', '-1s'])('refuses "%s"', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });

  it('formats for messages', () => {
    expect(formatDuration(200)).toBe('200ms');
    expect(formatDuration(5_000)).toBe('5s');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
