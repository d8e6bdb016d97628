import { basicChallenge, bearerChallenge } from './challenge';

describe(bearerChallenge.name, () => {
  const realm = 'http://127.0.0.1:5000/oauth2/token';

  it('names realm, service and the scope to ask for', () => {
    expect(
      bearerChallenge({
        realm,
        service: 'meridian',
        scopes: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      }),
    ).toBe(
      'Bearer realm="http://127.0.0.1:5000/oauth2/token",service="meridian",scope="repository:team/app:pull,push"',
    );
  });

  it('separates several scopes with spaces and adds the error', () => {
    expect(
      bearerChallenge({
        realm,
        service: 'meridian',
        scopes: [
          { type: 'repository', name: 'a', actions: ['push'] },
          { type: 'repository', name: 'b', actions: ['pull'] },
        ],
        error: 'insufficient_scope',
      }),
    ).toBe(
      `Bearer realm="${realm}",service="meridian",scope="repository:a:push repository:b:pull",error="insufficient_scope"`,
    );
  });

  it('leaves the scope out when any token will do', () => {
    expect(bearerChallenge({ realm, service: 'meridian', scopes: [] })).toBe(
      `Bearer realm="${realm}",service="meridian"`,
    );
  });

  it('escapes quotes in what it quotes', () => {
    expect(basicChallenge('a"b')).toBe('Basic realm="a\\"b",charset="UTF-8"');
  });
});
