import { formatLogLine } from './format-log-line';

describe(formatLogLine.name, () => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 6).toISOString();

  it('prints time, prefix, level, message and the fields a line adds', () => {
    const line = JSON.stringify({
      level: 'info',
      time,
      service: 'blob',
      region: 'us-east',
      pid: 12,
      hostname: 'h',
      msg: 'blob uploaded',
      digest: 'sha256:ab',
      size: 1024,
      tags: ['a', 'b'],
    });
    expect(formatLogLine('[us-east/blob]', line)).toEqual({
      level: 'info',
      text: '03:04:05.006 [us-east/blob] INFO  blob uploaded digest=sha256:ab size=1024 tags=["a","b"]',
    });
  });

  it('reads pino numeric levels', () => {
    expect(formatLogLine('[x]', JSON.stringify({ level: 50, time, msg: 'failed' })).level).toBe(
      'error',
    );
  });

  it('quotes values with spaces and puts an error stack under the line', () => {
    const line = JSON.stringify({
      level: 'error',
      time,
      msg: 'request failed',
      path: '/v2/a b',
      err: { message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' },
    });
    expect(formatLogLine('[p]', line).text).toBe(
      '03:04:05.006 [p] ERROR request failed path="/v2/a b" err=boom\n    Error: boom\n    at f (x.ts:1:1)',
    );
  });

  it('passes a line that is not JSON through', () => {
    expect(formatLogLine('[p]', 'TypeError: x is not a function')).toEqual({
      level: undefined,
      text: '[p] TypeError: x is not a function',
    });
  });
});
