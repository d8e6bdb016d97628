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

  it.each([undefined, 'Digest abc', 'Negotiate'])('reads %j as no credentials', (authorization) => {
    expect(readCredentials(authorization === undefined ? {} : { authorization })).toBeUndefined();
  });

  it.each([
    'Bearer',
    'Bearer ',
    'Basic',
    'Basic !!!',
    `Basic ${Buffer.from([0xff, 0x3a, 0x61]).toString('base64')}`,
    basic('no-colon'),
    basic('ad\u0000min:x'),
    basic('ad\nmin:x'),
    basic('admin:pass\u0000word'),
  ])('reads %j as malformed', (authorization) => {
    expect(readCredentials({ authorization })).toMatchObject({ scheme: 'malformed' });
  });
});
