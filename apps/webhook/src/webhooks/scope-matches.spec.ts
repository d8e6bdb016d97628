import { scopeMatches } from './scope-matches';

describe(scopeMatches.name, () => {
  const image = (repository: string, ...tags: string[]) => ({ repository, tags });

  it('matches everything when empty', () => {
    expect(scopeMatches('', image('any/thing', 'v1'))).toBe(true);
    expect(scopeMatches('', image('untagged'))).toBe(true);
  });

  it('reads a repository alone as repository:latest, as ACR does', () => {
    expect(scopeMatches('hello', image('hello', 'latest'))).toBe(true);
    expect(scopeMatches('hello', image('hello', 'v1'))).toBe(false);
    expect(scopeMatches('hello', image('hello'))).toBe(false);
  });

  it('matches every tag, and untagged pushes, with repository:*', () => {
    expect(scopeMatches('hello:*', image('hello', 'v1'))).toBe(true);
    expect(scopeMatches('hello:*', image('hello'))).toBe(true);
    expect(scopeMatches('hello:*', image('hello-world', 'v1'))).toBe(false);
  });

  it('takes * anywhere in the repository and the tag', () => {
    expect(scopeMatches('team/*:v1*', image('team/api', 'v1.2'))).toBe(true);
    expect(scopeMatches('team/*:v1*', image('team/api', 'v2'))).toBe(false);
    expect(scopeMatches('team/*:v1*', image('other/api', 'v1'))).toBe(false);
    expect(scopeMatches('*:prod', image('a/b/c', 'prod'))).toBe(true);
  });

  it('matches when any of the tags an event is about does', () => {
    expect(scopeMatches('app:stable', image('app', 'v3', 'stable'))).toBe(true);
  });

  it('takes dots in the pattern literally', () => {
    expect(scopeMatches('app:v1.0', image('app', 'v1x0'))).toBe(false);
  });
});
