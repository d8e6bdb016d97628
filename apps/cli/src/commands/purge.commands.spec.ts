import { CommanderError } from 'commander';
import { buildProgram } from '../program';
import { type PurgeFlags, buildPurgeRequest, parseFilter } from './purge.commands';

describe(parseFilter.name, () => {
  it('splits at the first colon outside parentheses and brackets', () => {
    expect(parseFilter('team/app:v.*')).toEqual({ repository: 'team/app', tag: 'v.*' });
    expect(parseFilter('team/(?:a|b):pr-(?:1|2)')).toEqual({
      repository: 'team/(?:a|b)',
      tag: 'pr-(?:1|2)',
    });
    expect(parseFilter('[:a]+:x:y')).toEqual({ repository: '[:a]+', tag: 'x:y' });
  });

  it.each(['team/app', ':v1', 'team/app:', '(a:b)'])('refuses %j with a usage error', (text) => {
    expect(() => parseFilter(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe(buildPurgeRequest.name, () => {
  it('builds the request with ACR’s defaults', () => {
    expect(buildPurgeRequest({ filter: ['a:.*', 'b:v1'], ago: '1d3h' })).toEqual({
      filters: [
        { repository: 'a', tag: '.*' },
        { repository: 'b', tag: 'v1' },
      ],
      ago: '1d3h',
      untagged: false,
      keep: 0,
      dryRun: false,
    });
  });

  it.each<[string, PurgeFlags]>([
    ['no filter', { ago: '30d' }],
    ['no ago', { filter: ['a:b'] }],
    ['ago in weeks', { filter: ['a:b'], ago: '2w' }],
    ['ago without a unit', { filter: ['a:b'], ago: '30' }],
  ])('refuses %s with a usage error', (_case, flags) => {
    expect(() => buildPurgeRequest(flags)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('meridian purge (flags)', () => {
  /** Parses argv with the real command tree, the action replaced by a capture. */
  function parse(...args: string[]): { options: PurgeFlags; shown?: string } {
    const program = buildProgram();
    const purge = program.commands.find((command) => command.name() === 'purge')!;
    const captured: { options: PurgeFlags; shown?: string } = { options: {} };
    purge.action((options: PurgeFlags) => {
      captured.options = options;
    });
    purge.commands
      .find((command) => command.name() === 'show')!
      .action((id: string) => {
        captured.shown = id;
      });
    for (const command of [program, purge, ...purge.commands]) {
      command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    }
    program.parse(['purge', ...args], { from: 'user' });
    return captured;
  }

  it('takes repeated --filter, --ago, --untagged, --keep, --dry-run and --wait', () => {
    const { options } = parse(
      '--filter',
      'team/.*:pr-.*',
      '--filter',
      'tools/.*:.*',
      '--ago',
      '7d',
      '--untagged',
      '--keep',
      '3',
      '--dry-run',
      '--wait',
    );
    expect(options).toMatchObject({
      filter: ['team/.*:pr-.*', 'tools/.*:.*'],
      ago: '7d',
      untagged: true,
      keep: 3,
      dryRun: true,
      wait: true,
    });
  });

  it('refuses a negative or fractional --keep', () => {
    for (const keep of ['-1', '1.5', 'x']) {
      expect(() => parse('--filter', 'a:b', '--ago', '1d', '--keep', keep)).toThrow(CommanderError);
    }
  });

  it('routes `purge show <id>` to the job', () => {
    expect(parse('show', '0b6f0c4e-0000-4000-8000-000000000000').shown).toBe(
      '0b6f0c4e-0000-4000-8000-000000000000',
    );
  });
});
