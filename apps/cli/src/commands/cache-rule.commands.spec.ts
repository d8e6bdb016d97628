import { buildProgram } from '../program';
import { type CacheRuleFlags, buildCacheRule } from './cache-rule.commands';

describe(buildCacheRule.name, () => {
  it('builds the rule, with the default tag TTL', () => {
    expect(buildCacheRule({ source: 'r.example.com/library/*', target: 'hub/library/*' })).toEqual({
      source: 'r.example.com/library/*',
      target: 'hub/library/*',
      tagTtl: '1h',
    });
    expect(
      buildCacheRule({
        source: '127.0.0.1:5000/app',
        target: 'mirror/app',
        credentialSet: 'ghcr',
        tagTtl: '10m',
      }),
    ).toEqual({
      source: '127.0.0.1:5000/app',
      target: 'mirror/app',
      credentialSet: 'ghcr',
      tagTtl: '10m',
    });
  });

  it.each<[string, CacheRuleFlags]>([
    ['no source', { target: 'hub/*' }],
    ['a source without a host', { source: 'library/*', target: 'hub/*' }],
    ['a wildcard on one end only', { source: 'r.example/library/*', target: 'hub/alpine' }],
    ['a bad TTL', { source: 'r.example/a', target: 'a', tagTtl: 'soon' }],
    ['a bad credential set name', { source: 'r.example/a', target: 'a', credentialSet: 'A B' }],
  ])('refuses %s with a usage error', (_case, flags) => {
    expect(() => buildCacheRule(flags)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('meridian cache-rule (flags)', () => {
  it('takes create with its flags and the default TTL', () => {
    const program = buildProgram();
    const rules = program.commands.find((candidate) => candidate.name() === 'cache-rule')!;
    const create = rules.commands.find((candidate) => candidate.name() === 'create')!;
    const captured: { name?: string; options?: CacheRuleFlags } = {};
    create.action((name: string, options: CacheRuleFlags) => {
      captured.name = name;
      captured.options = options;
    });
    for (const each of [program, rules, create])
      each.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    program.parse(
      ['cache-rule', 'create', 'hub', '--source', 'r.example/library/*', '--target', 'hub/*'],
      { from: 'user' },
    );
    expect(captured).toEqual({
      name: 'hub',
      options: { source: 'r.example/library/*', target: 'hub/*', tagTtl: '1h' },
    });
    expect(rules.commands.map((command) => command.name()).sort()).toEqual([
      'create',
      'delete',
      'list',
      'show',
    ]);
  });
});
