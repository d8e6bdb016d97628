import { isRegistryError } from '@meridian/contracts';
import { parseAcrPath } from './parse-acr-path';

const digest = `sha256:${'a'.repeat(64)}`;

function codeOf(url: string): string | undefined {
  try {
    parseAcrPath(url);
    return undefined;
  } catch (error) {
    return isRegistryError(error) ? error.code : 'thrown';
  }
}

describe('parseAcrPath', () => {
  it('matches each route from the end of the path, names with slashes included', () => {
    expect(parseAcrPath('/acr/v1/_catalog?n=1')).toEqual({ kind: 'catalog' });
    expect(parseAcrPath('/acr/v1/team/app')).toEqual({ kind: 'repository', name: 'team/app' });
    expect(parseAcrPath('/acr/v1/team/app/_tags?orderby=timedesc')).toEqual({
      kind: 'tags',
      name: 'team/app',
    });
    expect(parseAcrPath('/acr/v1/team/app/_tags/v1.0')).toEqual({
      kind: 'tag',
      name: 'team/app',
      tag: 'v1.0',
    });
    expect(parseAcrPath('/acr/v1/a/b/c/_manifests')).toEqual({ kind: 'manifests', name: 'a/b/c' });
    expect(parseAcrPath(`/acr/v1/app/_manifests/${digest}`)).toEqual({
      kind: 'manifest',
      name: 'app',
      digest,
    });
  });

  it('refuses bad names, digests and unknown keywords before any lookup', () => {
    expect(codeOf('/acr/v1/Team/app')).toBe('NAME_INVALID');
    expect(codeOf('/acr/v1/team/%2e%2e/app/_tags')).toBe('NAME_INVALID');
    expect(codeOf('/acr/v1/team//app')).toBe('NAME_INVALID');
    expect(codeOf('/acr/v1/_tags')).toBe('NAME_INVALID');
    expect(codeOf('/acr/v1/app/_manifests/sha256:abc')).toBe('DIGEST_INVALID');
    expect(codeOf('/acr/v1/app/_tags/-bad')).toBe('MANIFEST_UNKNOWN');
    expect(codeOf('/acr/v1/app/_locks')).toBe('NOT_FOUND');
    expect(codeOf('/acr/v1/app/%zz')).toBe('REQUEST_INVALID');
  });
});
