import { formatScope, grantsAccess, parseScope, splitScopes } from './access-scope';

describe(parseScope.name, () => {
  it.each([
    [
      'repository:team/app:pull,push',
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    ],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    [
      'repository:127.0.0.1:5000/team/app:pull',
      { type: 'repository', name: '127.0.0.1:5000/team/app', actions: ['pull'] },
    ],
    ['repository(plugin):app:pull', { type: 'repository', name: 'app', actions: ['pull'] }],
  ])('reads %s', (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected);
  });

  it.each(['', 'repository', 'repository:app', ':app:pull', 'repository::pull', 'repository:app:'])(
    'refuses %j',
    (scope) => {
      expect(parseScope(scope)).toBeUndefined();
    },
  );

  it('writes back what it reads', () => {
    const scope = 'repository:team/app:pull,push';
    expect(formatScope(parseScope(scope)!)).toBe(scope);
  });
});

describe(splitScopes.name, () => {
  it('takes repeated values and space-separated scopes alike', () => {
    expect(splitScopes(['repository:a:pull repository:b:push', 'registry:catalog:*', ''])).toEqual([
      'repository:a:pull',
      'repository:b:push',
      'registry:catalog:*',
    ]);
  });
});

describe(grantsAccess.name, () => {
  const granted = [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ];

  it('grants the actions named for the repository named', () => {
    expect(grantsAccess(granted, { type: 'repository', name: 'team/app', actions: ['push'] })).toBe(
      true,
    );
  });

  it('does not open another repository', () => {
    expect(
      grantsAccess(granted, { type: 'repository', name: 'team/other', actions: ['pull'] }),
    ).toBe(false);
  });

  it('does not grant an action it does not name', () => {
    expect(
      grantsAccess(granted, { type: 'repository', name: 'team/app', actions: ['pull', 'delete'] }),
    ).toBe(false);
  });

  it('reads * as every action', () => {
    expect(grantsAccess(granted, { type: 'registry', name: 'catalog', actions: ['*'] })).toBe(true);
  });

  it('does not mix up resource types', () => {
    expect(grantsAccess(granted, { type: 'registry', name: 'team/app', actions: ['pull'] })).toBe(
      false,
    );
  });
});
