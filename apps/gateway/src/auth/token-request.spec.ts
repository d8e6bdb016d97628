import { RegistryError } from '@meridian/contracts';
import { refreshTokenUser, tokenRequestFromForm, tokenRequestFromQuery } from './token-request';

describe(tokenRequestFromQuery.name, () => {
  it('reads docker login: Basic credentials, scopes and an offline token', () => {
    const query = new URLSearchParams(
      'service=meridian&scope=repository:a:pull&scope=repository:b:pull,push&offline_token=true&client_id=docker',
    );

    expect(
      tokenRequestFromQuery(
        query,
        { scheme: 'basic', username: 'admin', password: 'pw' },
        'meridian',
      ),
    ).toEqual({
      credentials: { grant: 'password', username: 'admin', password: 'pw' },
      service: 'meridian',
      scopes: ['repository:a:pull', 'repository:b:pull,push'],
      offline: true,
    });
  });

  it("takes ACR's null user's password as a refresh token", () => {
    const basic = { scheme: 'basic' as const, username: refreshTokenUser, password: 'rt' };
    expect(tokenRequestFromQuery(new URLSearchParams(''), basic, 'm').credentials).toEqual({
      grant: 'refresh_token',
      refreshToken: 'rt',
    });
    const form = new URLSearchParams({
      grant_type: 'password',
      username: refreshTokenUser,
      password: 'rt',
    });
    expect(tokenRequestFromForm(form, 'm').credentials).toEqual({
      grant: 'refresh_token',
      refreshToken: 'rt',
    });
  });

  it('asks anonymously without credentials', () => {
    expect(
      tokenRequestFromQuery(new URLSearchParams('scope=repository:a:pull'), undefined, 'm'),
    ).toEqual({ service: 'm', scopes: ['repository:a:pull'], offline: false });
  });
});

describe(tokenRequestFromForm.name, () => {
  it('reads the password grant', () => {
    const form = new URLSearchParams(
      'grant_type=password&username=sp1&password=secret&scope=repository:a:pull repository:b:push&access_type=offline&service=meridian',
    );

    expect(tokenRequestFromForm(form, 'meridian')).toEqual({
      credentials: { grant: 'password', username: 'sp1', password: 'secret' },
      service: 'meridian',
      scopes: ['repository:a:pull', 'repository:b:push'],
      offline: true,
    });
  });

  it('reads the refresh token grant', () => {
    const form = new URLSearchParams(
      'grant_type=refresh_token&refresh_token=rt&scope=registry:catalog:*',
    );

    expect(tokenRequestFromForm(form, 'meridian')).toEqual({
      credentials: { grant: 'refresh_token', refreshToken: 'rt' },
      service: 'meridian',
      scopes: ['registry:catalog:*'],
      offline: false,
    });
  });

  it.each([
    ['grant_type=password&username=a', 'UNAUTHORIZED'],
    ['grant_type=refresh_token', 'UNAUTHORIZED'],
    ['grant_type=password&username=ad%00min&password=x', 'UNAUTHORIZED'],
    ['grant_type=client_credentials', 'UNSUPPORTED'],
    ['', 'UNSUPPORTED'],
  ])('refuses %j with %s', (body, code) => {
    const attempt = () => tokenRequestFromForm(new URLSearchParams(body), 'meridian');
    expect(attempt).toThrow(RegistryError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });
});
