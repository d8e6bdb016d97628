import { PrivateKeySealer } from './private-key-sealer';

const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private-part', kid: 'k1' };

describe(PrivateKeySealer.name, () => {
  it('stores keys as they are without a secret', () => {
    const sut = new PrivateKeySealer(undefined);
    expect(sut.seal(jwk)).toEqual(jwk);
    expect(sut.open(jwk)).toEqual(jwk);
  });

  it('seals keys so that the private part is not readable, and opens them again', () => {
    const sut = new PrivateKeySealer('a secret of some length');
    const sealed = sut.seal(jwk);
    expect(JSON.stringify(sealed)).not.toContain('private-part');
    expect(sut.open(sealed)).toEqual(jwk);
  });

  it('refuses to open a sealed key without the secret, or with another one', () => {
    const sealed = new PrivateKeySealer('a secret of some length').seal(jwk);
    expect(() => new PrivateKeySealer(undefined).open(sealed)).toThrow(/is needed/);
    expect(() => new PrivateKeySealer('another secret, as long').open(sealed)).toThrow(
      /does not open/,
    );
  });

  it('still opens keys stored before a secret was set', () => {
    expect(new PrivateKeySealer('a secret of some length').open(jwk)).toEqual(jwk);
  });
});
