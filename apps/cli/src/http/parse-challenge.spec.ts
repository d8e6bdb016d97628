import { nextLink, parseChallenge } from './parse-challenge';

describe(parseChallenge.name, () => {
  it('reads the scheme and its quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="http://r/oauth2/token",service="r",scope="repository:a:pull,push",error="insufficient_scope"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'http://r/oauth2/token',
        service: 'r',
        scope: 'repository:a:pull,push',
        error: 'insufficient_scope',
      },
    });
    expect(parseChallenge('Basic realm="meridian"')).toEqual({
      scheme: 'basic',
      params: { realm: 'meridian' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe(nextLink.name, () => {
  it('resolves the next page against the request', () => {
    expect(
      nextLink('</acr/v1/_catalog?last=b&n=2>; rel="next"', 'http://r:5000/acr/v1/_catalog'),
    ).toBe('http://r:5000/acr/v1/_catalog?last=b&n=2');
    expect(nextLink('<http://x/prev>; rel="prev"', 'http://r/')).toBeUndefined();
    expect(nextLink(null, 'http://r/')).toBeUndefined();
  });
});
