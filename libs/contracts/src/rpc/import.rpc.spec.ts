import { ImportRequest, parseImportSource, parseImportTarget } from './import.rpc';

const digest = `sha256:${'a'.repeat(64)}`;

describe(parseImportSource.name, () => {
  it.each([
    [
      'registry.example.com/library/alpine:3.20',
      { registry: 'registry.example.com', repository: 'library/alpine', reference: '3.20' },
    ],
    [
      '127.0.0.1:5000/app@' + digest,
      { registry: '127.0.0.1:5000', repository: 'app', reference: digest },
    ],
    ['localhost/team/app:1', { registry: 'localhost', repository: 'team/app', reference: '1' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', reference: '1' }],
    ['team/app:1.4', { repository: 'team/app', reference: '1.4' }],
    ['app@' + digest, { repository: 'app', reference: digest }],
  ])('reads %s the way Docker names registries', (text, expected) => {
    expect(parseImportSource(text)).toEqual(expected);
  });

  it.each([
    'registry.example.com/library/alpine',
    'registry.example.com:5000/app',
    'Registry.example.com/App:1',
    'team/app:bad tag',
    'app@sha256:abc',
    'app@md5:' + 'a'.repeat(32),
    'bad host!/app:1',
    '',
  ])('refuses %j', (text) => {
    expect(parseImportSource(text)).toBeUndefined();
  });
});

describe(parseImportTarget.name, () => {
  it('reads a repository with or without a tag, and refuses what the grammar refuses', () => {
    expect(parseImportTarget('team/app:1')).toEqual({ repository: 'team/app', tag: '1' });
    expect(parseImportTarget('team/app')).toEqual({ repository: 'team/app' });
    expect(parseImportTarget('Team/app')).toBeUndefined();
    expect(parseImportTarget('team/app:')).toBeUndefined();
  });
});

describe('ImportRequest', () => {
  it('fills the defaults and refuses inline credentials together with a set', () => {
    expect(ImportRequest.parse({ source: 'team/app:1', target: 'copy/app' })).toEqual({
      source: 'team/app:1',
      target: 'copy/app',
      force: false,
      allPlatforms: true,
      platform: 'linux/amd64',
    });
    expect(
      ImportRequest.safeParse({
        source: 'team/app:1',
        target: 'copy/app',
        credentials: { token: 't' },
        credentialSet: 'hub',
      }).success,
    ).toBe(false);
  });
});
