/**
 * Paging of tag lists and the catalog (`?n=<int>&last=<value>`).
 *
 * A huge `n` is clamped to maxPageSize rather than refused: distribution-spec 1.1 lets
 * a response hold fewer than `n` results when it carries a `Link` header to the next
 * page, so a clamped page with a Link is compliant and a client paging by Link gets
 * everything. A non-numeric or negative `n` is PAGINATION_NUMBER_INVALID. `n=0` is
 * valid and MUST be answered with an empty list and no Link header; the caller does
 * that without querying anything. An empty `n=` counts as absent, as in distribution.
 */
import { OciValidationError } from './oci-validation-error';

/** The most results one page holds; contracts' Page schema has the same bound. */
export const maxPageSize = 10_000;

export interface PageRequest {
  /** 0 ≤ n ≤ maxPageSize; absent means the service's default page. */
  n?: number;
  /** Results start strictly after this value. */
  last?: string;
}

type QueryValue = string | readonly string[] | undefined;

/** A request's query: URLSearchParams, or a parsed object such as fastify gives. */
export type PaginationQuery = URLSearchParams | { n?: QueryValue; last?: QueryValue };

export function parsePagination(query: PaginationQuery): PageRequest {
  const n = firstValue(query, 'n');
  const last = firstValue(query, 'last');
  const page: PageRequest = {};
  if (n !== undefined && n !== '') {
    if (!/^\d+$/.test(n)) {
      throw new OciValidationError(
        'PAGINATION_NUMBER_INVALID',
        'n must be a non-negative integer',
        { n },
      );
    }
    page.n = Math.min(Number(n), maxPageSize);
  }
  if (last !== undefined && last !== '') page.last = last;
  return page;
}

function firstValue(query: PaginationQuery, key: 'n' | 'last'): string | undefined {
  const value = query instanceof URLSearchParams ? (query.get(key) ?? undefined) : query[key];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * The RFC 8288 `Link` header pointing at the next page, e.g. for `path`
 * `/v2/team/app/tags/list`: `</v2/team/app/tags/list?n=100&last=v1.2>; rel="next"`.
 */
export function buildLinkHeader(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}
