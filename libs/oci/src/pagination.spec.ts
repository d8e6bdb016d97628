import { OciValidationError } from './oci-validation-error';
import { buildLinkHeader, maxPageSize, parsePagination } from './pagination';

function rejection(fn: () => unknown): OciValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OciValidationError) return err;
    throw err;
  }
  throw new Error('expected PAGINATION_NUMBER_INVALID');
}

describe(parsePagination.name, () => {
  it.each([
    ['', {}],
    ['n=10', { n: 10 }],
    ['n=0', { n: 0 }],
    ['n=007', { n: 7 }],
    ['n=', {}],
    ['last=v1.0', { last: 'v1.0' }],
    ['n=2&last=v1.0', { n: 2, last: 'v1.0' }],
    ['last=', {}],
    ['n=3&n=-1', { n: 3 }],
    ['last=team%2Fapp', { last: 'team/app' }],
    [`n=${maxPageSize}`, { n: maxPageSize }],
    [`n=${maxPageSize + 1}`, { n: maxPageSize }],
    ['n=99999999999999999999999999', { n: maxPageSize }],
  ])('reads %j', (search, expected) => {
    expect(parsePagination(new URLSearchParams(search))).toEqual(expected);
  });

  it('reads a parsed query object, taking the first of repeated values', () => {
    expect(parsePagination({ n: ['5', '6'], last: ['b', 'c'] })).toEqual({ n: 5, last: 'b' });
    expect(parsePagination({ n: '5' })).toEqual({ n: 5 });
    expect(parsePagination({})).toEqual({});
    expect(parsePagination({ n: [] })).toEqual({});
  });

  it.each(['-1', '1.5', '1e3', 'ten', ' 5', '5 ', '+5', '0x10', 'Infinity', 'NaN', '-0'])(
    'refuses n=%j',
    (n) => {
      const err = rejection(() => parsePagination({ n }));

      expect(err.code).toBe('PAGINATION_NUMBER_INVALID');
      expect(err.detail).toEqual({ n });
    },
  );
});

describe(buildLinkHeader.name, () => {
  it('points at the next page of tags', () => {
    expect(buildLinkHeader('/v2/team/app/tags/list', 100, 'v1.2')).toBe(
      '</v2/team/app/tags/list?n=100&last=v1.2>; rel="next"',
    );
  });

  it('encodes a catalog name, whose slashes belong in the value', () => {
    expect(buildLinkHeader('/v2/_catalog', 2, 'team/app')).toBe(
      '</v2/_catalog?n=2&last=team%2Fapp>; rel="next"',
    );
  });

  it('encodes characters that would break the query or the header', () => {
    const link = buildLinkHeader('/v2/_catalog', 1, 'a&n=5>; rel="prev" ?#');

    expect(link).toBe(
      '</v2/_catalog?n=1&last=a%26n%3D5%3E%3B%20rel%3D%22prev%22%20%3F%23>; rel="next"',
    );
    const target = link.slice(1, link.indexOf('>'));
    expect(parsePagination(new URL(target, 'http://registry').searchParams)).toEqual({
      n: 1,
      last: 'a&n=5>; rel="prev" ?#',
    });
  });
});
