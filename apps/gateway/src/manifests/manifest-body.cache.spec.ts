import { sha256Digest } from '@meridian/oci';
import { ManifestBodyCache } from './manifest-body.cache';

describe(ManifestBodyCache.name, () => {
  const body = Buffer.from('{"schemaVersion":2}');
  const digest = sha256Digest(body);

  it('keeps a body under its digest', () => {
    const sut = new ManifestBodyCache(1024 * 1024);
    sut.set(digest, body);

    expect(sut.get(digest)).toBe(body);
  });

  it('refuses a body that is not what its digest names', () => {
    const sut = new ManifestBodyCache(1024 * 1024);
    sut.set(digest, Buffer.from('{"schemaVersion":3}'));

    expect(sut.get(digest)).toBeUndefined();
  });

  it('keeps nothing with a budget of 0', () => {
    const sut = new ManifestBodyCache(0);
    sut.set(digest, body);

    expect(sut.get(digest)).toBeUndefined();
  });

  it('forgets a deleted digest', () => {
    const sut = new ManifestBodyCache(1024 * 1024);
    sut.set(digest, body);
    sut.delete(digest);

    expect(sut.get(digest)).toBeUndefined();
  });
});
