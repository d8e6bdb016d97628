import { splitImagePath } from './split-image-path';

const digest = `sha256:${'a'.repeat(64)}`;

describe(splitImagePath.name, () => {
  it('splits a repository with slashes from the trailing digest', () => {
    expect(splitImagePath(`team/app/api/${digest}`)).toEqual({
      repository: 'team/app/api',
      digest,
    });
  });

  it('takes a sha512 digest', () => {
    const sha512 = `sha512:${'b'.repeat(128)}`;
    expect(splitImagePath(`team/app/${sha512}`)).toEqual({
      repository: 'team/app',
      digest: sha512,
    });
  });

  it.each([
    ['no repository', digest, 'NAME_INVALID'],
    ['an uppercase repository', `Team/${digest}`, 'NAME_INVALID'],
    ['a tag instead of a digest', 'team/app/latest', 'DIGEST_INVALID'],
    ['an unsupported algorithm', `team/app/sha384:${'b'.repeat(96)}`, 'DIGEST_INVALID'],
    ['a sha512 digest of the wrong length', `team/app/sha512:${'b'.repeat(64)}`, 'DIGEST_INVALID'],
  ])('refuses %s', (_what, path, code) => {
    expect(() => splitImagePath(path)).toThrow(expect.objectContaining({ code }));
  });
});
