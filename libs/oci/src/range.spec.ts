import { OciValidationError } from './oci-validation-error';
import { parseContentRange, parseRangeHeader } from './range';

function rejection(fn: () => unknown): OciValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OciValidationError) return err;
    throw err;
  }
  throw new Error('expected RANGE_INVALID');
}

describe(parseContentRange.name, () => {
  it.each([
    ['0-1023', { start: 0, end: 1023 }],
    ['1024-2047', { start: 1024, end: 2047 }],
    ['5-5', { start: 5, end: 5 }],
    [' 0-9 ', { start: 0, end: 9 }],
    ['bytes 0-9/10', { start: 0, end: 9 }],
    ['bytes 0-9/*', { start: 0, end: 9 }],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['Bytes=10-19', { start: 10, end: 19 }],
    ['9007199254740990-9007199254740991', { start: 2 ** 53 - 2, end: 2 ** 53 - 1 }],
  ])('reads %j', (header, expected) => {
    expect(parseContentRange(header)).toEqual(expected);
  });

  it.each([
    '',
    '0',
    '0-',
    '-9',
    '9-0',
    'a-b',
    '0x0-0x9',
    '+0-9',
    '0-9,10-19',
    '0 - 9',
    'bytes */10',
    'bytes 0-9/5',
    'bytes 0-9/9',
    'items 0-9',
    '0-9007199254740992',
  ])('refuses %j', (header) => {
    expect(rejection(() => parseContentRange(header)).code).toBe('RANGE_INVALID');
  });

  it('accepts leading zeros, as a number parser would', () => {
    expect(parseContentRange('007-010')).toEqual({ start: 7, end: 10 });
  });
});

describe(parseRangeHeader.name, () => {
  const size = 1000;

  it.each([
    ['bytes=0-499', { start: 0, end: 499 }],
    ['bytes=500-999', { start: 500, end: 999 }],
    ['bytes=500-', { start: 500, end: 999 }],
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['bytes=-1', { start: 999, end: 999 }],
    ['bytes=-500', { start: 500, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=900-99999999999999999999999', { start: 900, end: 999 }],
    ['Bytes = 10-19', { start: 10, end: 19 }],
    ['bytes= 10-19 ,', { start: 10, end: 19 }],
  ])('reads %j of a 1000-byte blob', (header, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });

  it.each(['items=0-9', 'none=0-1'])(
    'ignores the unit of %j: the whole blob is served',
    (header) => {
      expect(parseRangeHeader(header, size)).toBeUndefined();
    },
  );

  it('serves an empty blob whole for a suffix range', () => {
    expect(parseRangeHeader('bytes=-10', 0)).toBeUndefined();
  });

  it.each([
    ['bytes=1000-', 'a start at the end'],
    ['bytes=1000-2000', 'a start past the end'],
    ['bytes=99999999999999999999-', 'a start beyond any blob'],
    ['bytes=-0', 'an empty suffix'],
  ])('refuses %j (%s) as not satisfiable, with the size', (header) => {
    const err = rejection(() => parseRangeHeader(header, size));

    expect(err.code).toBe('RANGE_INVALID');
    expect(err.message).toMatch(/not satisfiable/);
    expect(err.detail).toEqual({ range: header, size });
  });

  it('refuses any byte range of an empty blob but a suffix', () => {
    expect(rejection(() => parseRangeHeader('bytes=0-', 0)).message).toMatch(/not satisfiable/);
    expect(rejection(() => parseRangeHeader('bytes=0-0', 0)).message).toMatch(/not satisfiable/);
  });

  it.each(['bytes=0-1,5-6', 'bytes=0-1, -5', 'bytes=0-1,0-1'])(
    'refuses several ranges: %j',
    (header) => {
      expect(rejection(() => parseRangeHeader(header, size)).message).toBe(
        'multiple ranges are not supported: ask for one range',
      );
    },
  );

  it.each([
    'bytes',
    'bytes=',
    'bytes=,',
    'bytes=-',
    'bytes=5-4',
    'bytes=a-b',
    'bytes=0-1-2',
    'bytes=1.5-2',
    '0-9',
  ])('refuses the malformed %j', (header) => {
    const err = rejection(() => parseRangeHeader(header, size));

    expect(err.code).toBe('RANGE_INVALID');
    expect(err.message).toMatch(/^invalid Range/);
  });
});
