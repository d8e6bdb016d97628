import { buildProgram } from '../program';
import { type CredentialSetFlags, secretKind } from './credential-set.commands';
import { type ImportFlags, buildImportRequest } from './import.commands';
import { describeState, formatBytes } from './import-progress';

describe(buildImportRequest.name, () => {
  it('builds the request with the defaults of az acr import', () => {
    expect(
      buildImportRequest('registry.example.com/library/alpine:3.20', {
        target: ['base/alpine:3.20'],
      }),
    ).toEqual({
      source: 'registry.example.com/library/alpine:3.20',
      target: 'base/alpine:3.20',
      force: false,
      allPlatforms: true,
      platform: 'linux/amd64',
    });
  });

  it('sends several targets as a list, with a credential set and the platform flags', () => {
    expect(
      buildImportRequest('127.0.0.1:5000/app@sha256:' + 'a'.repeat(64), {
        target: ['apps/app:1', 'apps/app'],
        credentialSet: 'ghcr',
        force: true,
        allPlatforms: false,
        platform: 'linux/arm64',
      }),
    ).toMatchObject({
      target: ['apps/app:1', 'apps/app'],
      credentialSet: 'ghcr',
      force: true,
      allPlatforms: false,
      platform: 'linux/arm64',
    });
  });

  it.each<[string, string, ImportFlags]>([
    ['a source without a tag or digest', 'registry.example.com/app', { target: ['a:1'] }],
    ['an upper-case repository', 'registry.example.com/App:1', { target: ['a:1'] }],
    ['no target', 'team/app:1', {}],
    ['a bad target', 'team/app:1', { target: ['A:1'] }],
    [
      'a set and a username',
      'team/app:1',
      { target: ['a:1'], credentialSet: 's', username: 'u', passwordStdin: true },
    ],
    ['a username without --password-stdin', 'team/app:1', { target: ['a:1'], username: 'u' }],
  ])('refuses %s with a usage error', (_case, source, flags) => {
    expect(() => buildImportRequest(source, flags)).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });
});

describe(secretKind.name, () => {
  it('asks for a password with a username, or a token alone', () => {
    expect(secretKind({ username: 'me', passwordStdin: true })).toBe('password');
    expect(secretKind({ tokenStdin: true })).toBe('token');
  });

  it.each<CredentialSetFlags>([
    {},
    { username: 'me' },
    { passwordStdin: true },
    { tokenStdin: true, username: 'me' },
  ])('refuses %j with a usage error', (flags) => {
    expect(() => secretKind(flags)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('import progress', () => {
  it('says bytes in binary units and a waiting retry with its reason', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 64 * 1024 * 1024)).toBe('192.0 MiB');
    const job = {
      id: '00000000-0000-4000-8000-000000000000',
      state: 'queued' as const,
      source: 's',
      targets: ['t'],
      force: false,
      allPlatforms: true,
      progress: { bytesDone: 0, bytesTotal: 0, blobsDone: 0, blobsTotal: 0, blobsMounted: 0 },
      attempts: 1,
      error: { reason: 'UPSTREAM_TIMEOUT' as const, message: 'upstream sent nothing for 30 s' },
      createdTime: new Date(0).toISOString(),
    };
    expect(describeState(job)).toBe('retrying (upstream sent nothing for 30 s)');
    expect(describeState({ ...job, state: 'running' })).toBe('running');
  });
});

describe('meridian import (flags)', () => {
  function parse(...args: string[]): { source?: string; options: ImportFlags; shown?: string } {
    const program = buildProgram();
    const command = program.commands.find((candidate) => candidate.name() === 'import')!;
    const captured: { source?: string; options: ImportFlags; shown?: string } = { options: {} };
    command.action((source: string, options: ImportFlags) => {
      captured.source = source;
      captured.options = options;
    });
    command.commands
      .find((candidate) => candidate.name() === 'show')!
      .action((id: string) => {
        captured.shown = id;
      });
    for (const each of [program, command, ...command.commands])
      each.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    program.parse(['import', ...args], { from: 'user' });
    return captured;
  }

  it('takes the source, repeated --target and the job flags', () => {
    const { source, options } = parse(
      'r.example.com/app:1',
      '--target',
      'a/app:1',
      '-t',
      'a/app:stable',
      '--credential-set',
      'hub',
      '--force',
      '--no-all-platforms',
      '--platform',
      'linux/arm64',
      '--wait',
    );
    expect(source).toBe('r.example.com/app:1');
    expect(options).toMatchObject({
      target: ['a/app:1', 'a/app:stable'],
      credentialSet: 'hub',
      force: true,
      allPlatforms: false,
      platform: 'linux/arm64',
      wait: true,
    });
  });

  it('shows a job by id', () => {
    expect(parse('show', '0b6f').shown).toBe('0b6f');
  });
});
