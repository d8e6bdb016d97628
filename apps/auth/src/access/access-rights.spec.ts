import type { AccessEntry, RoleName, ScopeMapRule } from '@meridian/contracts';
import {
  anonymousRights,
  grantAccess,
  repositoryMatches,
  rightsOfRoles,
  rightsOfScopeMap,
} from './access-rights';
import { parseScopes } from './parse-scope';

const pushPullDelete: AccessEntry[] = [
  { type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] },
];

describe(grantAccess.name, () => {
  it.each<[RoleName[], string[]]>([
    [['AcrPull'], ['pull']],
    [['Reader'], ['pull']],
    [['AcrPush'], ['pull', 'push']],
    [['AcrDelete'], ['delete']],
    [
      ['AcrPull', 'AcrDelete'],
      ['pull', 'delete'],
    ],
    [['Contributor'], ['pull', 'push', 'delete']],
    [['Owner'], ['pull', 'push', 'delete']],
    [['AcrQuarantineReader'], []],
    [['AcrQuarantineWriter'], []],
    [[], []],
  ])('grants roles %j the actions %j of pull, push, delete', (roles, granted) => {
    const access = grantAccess(pushPullDelete, rightsOfRoles(roles));
    expect(access.flatMap((entry) => entry.actions)).toEqual(granted);
  });

  it.each<[RoleName, boolean]>([
    ['AcrPull', false],
    ['AcrPush', false],
    ['AcrDelete', false],
    ['Contributor', true],
    ['Owner', true],
  ])('grants %s metadata_write (locks): %s', (role, granted) => {
    const asked = parseScopes(['repository:app:metadata_write']);
    expect(grantAccess(asked, rightsOfRoles([role])).length > 0).toBe(granted);
  });

  it('grants the whole catalog to roles that pull, and to nobody else', () => {
    const catalog: AccessEntry[] = [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    expect(grantAccess(catalog, rightsOfRoles(['AcrPull']))).toEqual(catalog);
    expect(grantAccess(catalog, rightsOfRoles(['AcrDelete']))).toEqual([]);
    expect(grantAccess(catalog, anonymousRights(true))).toEqual([]);
  });

  it('grants a scope-map token the catalog of the repositories it may read, and only those', () => {
    const catalog: AccessEntry[] = [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    const rights = rightsOfScopeMap([
      rule('team-a/*', 'content/read'),
      rule('tools', 'metadata/read'),
      rule('drop-box', 'content/write'),
    ]);
    expect(grantAccess(catalog, rights)).toEqual([
      { ...catalog[0], repositories: ['team-a/*', 'tools'] },
    ]);
    expect(grantAccess(catalog, rightsOfScopeMap([rule('*', 'content/write')]))).toEqual([]);
  });

  it('lets the roles that pull read metadata, as ACR does', () => {
    const metadata: AccessEntry = { type: 'repository', name: 'app', actions: ['metadata_read'] };
    expect(grantAccess([metadata], rightsOfRoles(['AcrPull']))).toEqual([metadata]);
    expect(grantAccess([metadata], rightsOfRoles(['AcrDelete']))).toEqual([]);
  });

  it('answers * on a repository with the actions allowed among pull, push and delete', () => {
    const asked = parseScopes(['repository:team/app:*']);
    expect(grantAccess(asked, rightsOfRoles(['AcrPush']))[0]?.actions).toEqual(['pull', 'push']);
  });

  it('grants a scope map token its actions on matching repositories only', () => {
    const rights = rightsOfScopeMap([
      rule('team-a/*', 'content/read', 'content/write'),
      rule('shared/base', 'content/read', 'metadata/read'),
    ]);
    const asked = parseScopes([
      'repository:team-a/x:pull,push',
      'repository:team-a/deep/y:push,delete',
      'repository:team-b/x:pull,push',
      'repository:team-a:pull',
      'repository:shared/base:pull,push,metadata_read',
    ]);
    expect(grantAccess(asked, rights)).toEqual([
      { type: 'repository', name: 'team-a/x', actions: ['pull', 'push'] },
      { type: 'repository', name: 'team-a/deep/y', actions: ['push'] },
      { type: 'repository', name: 'shared/base', actions: ['pull', 'metadata_read'] },
    ]);
  });

  it('maps each scope map action to its token action', () => {
    const rights = rightsOfScopeMap([
      rule(
        'app',
        'content/read',
        'content/write',
        'content/delete',
        'metadata/read',
        'metadata/write',
      ),
    ]);
    const asked = parseScopes(['repository:app:pull,push,delete,metadata_read,metadata_write']);
    expect(grantAccess(asked, rights)[0]?.actions).toEqual([
      'pull',
      'push',
      'delete',
      'metadata_read',
      'metadata_write',
    ]);
  });

  it('lets anonymous callers pull when anonymous pull is on, and do nothing otherwise', () => {
    expect(grantAccess(pushPullDelete, anonymousRights(true))[0]?.actions).toEqual(['pull']);
    expect(grantAccess(pushPullDelete, anonymousRights(false))).toEqual([]);
  });

  it('grants nothing for unknown types, registry resources or actions', () => {
    const asked = parseScopes(['registry:config:*', 'plugin:x:pull', 'repository:team/app:own']);
    expect(grantAccess(asked, rightsOfRoles(['Owner']))).toEqual([]);
  });
});

describe(repositoryMatches.name, () => {
  it.each([
    ['team-a/*', 'team-a/x', true],
    ['team-a/*', 'team-a/x/y', true],
    ['team-a/*', 'team-a', false],
    ['team-a/*', 'team-ab/x', false],
    ['team-a/x', 'team-a/x', true],
    ['team-a/x', 'team-a/xy', false],
    ['*', 'anything/at/all', true],
  ])('%s matches %s: %s', (pattern, repository, matches) => {
    expect(repositoryMatches(pattern, repository)).toBe(matches);
  });
});

describe(parseScopes.name, () => {
  it('merges repeated and space-separated scopes and drops malformed ones', () => {
    expect(
      parseScopes([
        'repository:team/app:pull',
        'repository:team/app:push repository(plugin):other:pull',
        'nonsense',
        'repository::pull',
        'repository:x:',
      ]),
    ).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'other', actions: ['pull'] },
    ]);
  });

  it('keeps a registry host with a port inside the name', () => {
    expect(parseScopes(['repository:localhost:5000/app:pull'])).toEqual([
      { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] },
    ]);
  });
});

function rule(repository: string, ...actions: ScopeMapRule['actions']): ScopeMapRule {
  return { repository, actions };
}
