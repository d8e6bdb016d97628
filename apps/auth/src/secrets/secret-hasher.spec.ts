import { SecretHasher } from './secret-hasher';

describe(SecretHasher.name, () => {
  const sut = new SecretHasher();

  it('matches a secret against its argon2id hash, again and again, and never another secret', async () => {
    const secret = sut.generate();
    const hash = await sut.hash(secret);

    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await sut.verify(hash, secret)).toBe(true);
    // the second time from the secrets verified a moment ago
    expect(await sut.verify(hash, secret)).toBe(true);
    expect(await sut.verify(hash, `${secret}x`)).toBe(false);
    expect(await sut.verify(await sut.hash('another'), secret)).toBe(false);
    expect(await sut.verify('not an argon2 hash', secret)).toBe(false);
  });
});
