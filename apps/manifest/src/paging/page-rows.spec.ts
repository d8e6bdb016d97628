import { maxPageSize } from '@meridian/oci';
import { pageRows, rowsToRead } from './page-rows';

const letters = ['a', 'b', 'c', 'd'];

function listPage(n: number | undefined) {
  return pageRows(letters.slice(0, rowsToRead(n)), n);
}

describe(pageRows.name, () => {
  it('answers n items and more when the listing holds more', () => {
    expect(listPage(2)).toEqual({ items: ['a', 'b'], more: true });
  });

  it('answers no more when the page ends exactly at the last item', () => {
    expect(listPage(4)).toEqual({ items: letters, more: false });
  });

  it('answers everything when n is absent and the listing is small', () => {
    expect(listPage(undefined)).toEqual({ items: letters, more: false });
  });

  it('reads at most maxPageSize items and one more, with or without n', () => {
    expect(rowsToRead(undefined)).toBe(maxPageSize + 1);
    expect(rowsToRead(maxPageSize * 10)).toBe(maxPageSize + 1);
    const rows = Array.from({ length: maxPageSize + 1 }, (_, i) => i);
    expect(pageRows(rows, undefined)).toMatchObject({ more: true });
    expect(pageRows(rows, undefined).items).toHaveLength(maxPageSize);
  });
});
