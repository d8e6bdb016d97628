import { readCredentials } from './read-credentials';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe(readCredentials.name, () => {
  it('reads a bearer token', () => {
    expect(readCredentials({ authorization: 'Bearer abc.def.ghi' })).toEqual({
      scheme: 'bearer',
      token: 'abc.def.ghi',
    });
  });

  it('reads basic credentials whose password holds colons', () => {
    expect(readCredentials({ authorization: basic('admin:pa:ss') })).toEqual({
      scheme: 'basic',
      username: 'admin',
      password: 'pa:ss',
    });
  });

  it.each([undefined, 'Bearer', 'Bearer ', 'Digest abc', basic('no-colon')])(
    'reads %j as no credentials',
    (authorization) => {
      expect(readCredentials(authorization === undefined ? {} : { authorization })).toBeUndefined();
    },
  );
});
