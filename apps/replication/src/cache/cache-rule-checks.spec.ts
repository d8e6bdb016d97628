import { CacheRuleInput, parseCacheSource, parseTagTtl } from '@meridian/contracts';
import { overlappingRule, ruleFor } from './cache-rule-checks';

const rule = (name: string, source: string, target: string) => ({ name, source, target });

describe('cache rules', () => {
  const rules = [
    rule('hub', 'registry-1.docker.io/library/*', 'hub/library/*'),
    rule('app', '127.0.0.1:5000/team/app', 'mirror/app'),
  ];

  it('maps what the wildcard stands for, one or more components, to the upstream', () => {
    expect(ruleFor(rules, 'hub/library/alpine')).toEqual({
      rule: rules[0],
      upstreamRepository: 'library/alpine',
    });
    expect(ruleFor(rules, 'hub/library/tools/jq')?.upstreamRepository).toBe('library/tools/jq');
    expect(ruleFor(rules, 'mirror/app')?.upstreamRepository).toBe('team/app');
  });

  it('covers nothing outside its target', () => {
    expect(ruleFor(rules, 'hub/library')).toBeUndefined();
    expect(ruleFor(rules, 'hub/libraryx/alpine')).toBeUndefined();
    expect(ruleFor(rules, 'mirror/app/sub')).toBeUndefined();
    expect(ruleFor(rules, 'team/app')).toBeUndefined();
  });

  it.each([
    ['hub/library/*', 'hub'],
    ['hub/*', 'hub'],
    ['hub/library/tools/*', 'hub'],
    ['hub/library/alpine', 'hub'],
    ['mirror/app', 'app'],
    ['mirror/*', 'app'],
  ])('refuses target %s, which overlaps rule %s', (target, name) => {
    expect(overlappingRule(rules, 'new', target)?.name).toBe(name);
  });

  it.each(['hub/other/*', 'hub/library', 'mirror/app2', 'mirror/apps/*'])(
    'takes target %s, which overlaps no rule',
    (target) => {
      expect(overlappingRule(rules, 'new', target)).toBeUndefined();
    },
  );

  it('lets a rule be replaced by itself', () => {
    expect(overlappingRule(rules, 'hub', 'hub/library/*')).toBeUndefined();
  });

  it('parses sources naming a registry host, and refuses the rest', () => {
    expect(parseCacheSource('Registry.Example:5000/library/*')).toEqual({
      registry: 'registry.example:5000',
      repository: 'library',
      wildcard: true,
    });
    expect(parseCacheSource('localhost/app')).toEqual({
      registry: 'localhost',
      repository: 'app',
      wildcard: false,
    });
    for (const bad of [
      'library/*',
      'registry.example',
      'registry.example/',
      'a.b/UPPER',
      'a.b/x/**',
    ])
      expect(parseCacheSource(bad)).toBeUndefined();
  });

  it('reads tag TTLs, and refuses what is not one', () => {
    expect(parseTagTtl('30s')).toBe(30);
    expect(parseTagTtl('15m')).toBe(900);
    expect(parseTagTtl('1h')).toBe(3600);
    expect(parseTagTtl('7d')).toBe(604_800);
    for (const bad of ['1', 'h', '1.5h', '-1h', '1w', ' 1h'])
      expect(parseTagTtl(bad)).toBeUndefined();
  });

  it('validates a rule as the API takes it: defaults, wildcards on both ends, TTL bounds', () => {
    expect(
      CacheRuleInput.parse({ source: 'r.example/library/*', target: 'hub/library/*' }),
    ).toEqual({ source: 'r.example/library/*', target: 'hub/library/*', tagTtl: '1h' });
    for (const bad of [
      { source: 'r.example/library/*', target: 'hub/alpine' },
      { source: 'r.example/alpine', target: 'hub/*' },
      { source: 'library/*', target: 'hub/*' },
      { source: 'r.example/a', target: 'Hub' },
      { source: 'r.example/a', target: 'hub', tagTtl: '31d' },
      { source: 'r.example/a', target: 'hub', tagTtl: 'soon' },
      { source: 'r.example/a', target: 'hub', extra: true },
    ])
      expect(CacheRuleInput.safeParse(bad).success).toBe(false);
  });
});
