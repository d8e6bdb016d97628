/**
 * Paging of the tag list and the catalog. A listing reads one row more than the page holds:
 * that row's presence is how `more` is known without counting. An absent `n` asks for
 * everything, bounded by maxPageSize so one request cannot read a whole table; `more` then
 * tells the gateway to send a `Link` to the rest.
 */
import { maxPageSize } from '@meridian/oci';

export interface Page<T> {
  items: T[];
  more: boolean;
}

function pageSize(n: number | undefined): number {
  return Math.min(n ?? maxPageSize, maxPageSize);
}

/** How many rows to read for a page of `n`. */
export function rowsToRead(n: number | undefined): number {
  return pageSize(n) + 1;
}

/** The page of `n` within rows read with `rowsToRead(n)`. */
export function pageRows<T>(rows: T[], n: number | undefined): Page<T> {
  const size = pageSize(n);
  return { items: rows.slice(0, size), more: rows.length > size };
}
