import { parseAuthChallenge } from './parse-auth-challenge';

describe(parseAuthChallenge.name, () => {
  it('reads a Docker token challenge with quoted parameters', () => {
    expect(
      parseAuthChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:library/alpine:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:library/alpine:pull',
    });
  });

  it('reads bare tokens, spaces after commas and escaped quotes', () => {
    expect(parseAuthChallenge('bearer realm=https://a/t, service="s \\"x\\""')).toEqual({
      scheme: 'bearer',
      realm: 'https://a/t',
      service: 's "x"',
    });
  });

  it('reads Basic', () => {
    expect(parseAuthChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic' });
  });

  it('refuses a bearer challenge without a realm, an unknown scheme and no header', () => {
    expect(parseAuthChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseAuthChallenge('Negotiate abc')).toBeUndefined();
    expect(parseAuthChallenge(undefined)).toBeUndefined();
  });
});
