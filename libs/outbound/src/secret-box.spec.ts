import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  it('seals with AES-GCM under the key and opens again', () => {
    const sut = new SecretBox('an operator key of enough length');
    const sealed = sut.seal('the-secret');
    expect(sealed).toMatch(/^aes-256-gcm:/);
    expect(sealed).not.toContain('the-secret');
    expect(sut.open(sealed)).toBe('the-secret');
  });

  it('refuses to open under another key', () => {
    const sealed = new SecretBox('an operator key of enough length').seal('the-secret');
    expect(() => new SecretBox('a different key, also long').open(sealed)).toThrow();
    expect(() => new SecretBox(undefined).open(sealed)).toThrow(/MERIDIAN_WEBHOOK_SECRET_KEY/);
  });

  it('keeps the secret as it is without a key', () => {
    const sut = new SecretBox(undefined);
    expect(sut.open(sut.seal('the-secret'))).toBe('the-secret');
  });

  it('seals a secret stored in the clear once there is a key, and leaves sealed ones alone', () => {
    const sut = new SecretBox('an operator key of enough length');
    const sealed = sut.sealStored('plain:the-secret');
    expect(sealed).toMatch(/^aes-256-gcm:/);
    expect(sut.open(sealed)).toBe('the-secret');
    expect(sut.sealStored(sealed)).toBe(sealed);
    expect(new SecretBox(undefined).sealStored('plain:the-secret')).toBe('plain:the-secret');
  });
});
