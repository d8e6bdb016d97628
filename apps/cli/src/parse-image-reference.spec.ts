import { CliError } from './cli-error';
import { parseImageReference } from './parse-image-reference';

const digest = `sha256:${'a'.repeat(64)}`;

describe(parseImageReference.name, () => {
  it('reads repository:tag and repository@digest', () => {
    expect(parseImageReference('team/app:v1.2')).toEqual({ repository: 'team/app', tag: 'v1.2' });
    expect(parseImageReference(`team/app@${digest}`)).toEqual({ repository: 'team/app', digest });
  });

  it('takes a bare repository as :latest only where a tag is optional', () => {
    expect(parseImageReference('app', { tagOptional: true })).toEqual({
      repository: 'app',
      tag: 'latest',
    });
    expect(() => parseImageReference('app')).toThrow(/names no tag or digest/);
  });

  it.each([
    ['Team/App:v1', /not a repository name/],
    ['app:-v1', /not a valid tag/],
    ['app@sha256:abc', /not a sha256 or sha512 digest/],
    ['app@md5:0123', /not a sha256 or sha512 digest/],
  ])('refuses %s as a usage error', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
    expect(() => parseImageReference(text)).toThrow(CliError);
  });
});
