import type { FastifyRequest } from 'fastify';
import { matchesIfNoneMatch } from './matches-if-none-match';

const etag = '"sha256:abc"';
const withHeader = (value?: string) =>
  ({ headers: { 'if-none-match': value } }) as unknown as FastifyRequest;

describe(matchesIfNoneMatch.name, () => {
  it.each([
    ['"sha256:abc"', true],
    ['W/"sha256:abc"', true],
    ['"other", "sha256:abc"', true],
    ['*', true],
    ['"other"', false],
    ['sha256:abc', false],
    [undefined, false],
  ])('If-None-Match %s → %s', (header, expected) => {
    expect(matchesIfNoneMatch(withHeader(header), etag)).toBe(expected);
  });
});
