import { Writable } from 'node:stream';
import type { ScrubJob } from '@meridian/contracts';
import { buildProgram } from '../program';
import { describeScrub, scrubProgressDisplay } from './scrub-progress';
import { type ScrubFlags, buildScrubRequest } from './scrub.commands';

function buildJob(overrides: Partial<ScrubJob> = {}): ScrubJob {
  return {
    id: '0b6f0c4e-0000-4000-8000-000000000000',
    state: 'running',
    request: { repair: true },
    createdTime: '2026-12-06T10:00:00.000Z',
    progress: { blobsChecked: 0, blobsTotal: 40, bytesChecked: 0, bytesTotal: 10 * 1024 * 1024 },
    counts: { ok: 0, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 },
    items: [],
    ...overrides,
  };
}

describe(buildScrubRequest.name, () => {
  it('repairs unless --no-repair, and passes --repository on', () => {
    expect(buildScrubRequest({})).toEqual({ repair: true });
    expect(buildScrubRequest({ repository: 'team/app', repair: false })).toEqual({
      repository: 'team/app',
      repair: false,
    });
  });

  it.each(['Team/App', 'team//app', '-team', ''])(
    'refuses --repository %j with a usage error',
    (repository) => {
      expect(() => buildScrubRequest({ repository })).toThrow(
        expect.objectContaining({ exitCode: 2 }),
      );
    },
  );
});

describe('meridian scrub (flags)', () => {
  /** Parses argv with the real command tree, the action replaced by a capture. */
  function parse(...args: string[]): { options: ScrubFlags; shown?: string } {
    const program = buildProgram();
    const scrub = program.commands.find((command) => command.name() === 'scrub')!;
    const captured: { options: ScrubFlags; shown?: string } = { options: {} };
    scrub.action((options: ScrubFlags) => {
      captured.options = options;
    });
    scrub.commands
      .find((command) => command.name() === 'show')!
      .action((id: string) => {
        captured.shown = id;
      });
    for (const command of [program, scrub, ...scrub.commands]) {
      command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    }
    program.parse(['scrub', ...args], { from: 'user' });
    return captured;
  }

  it('repairs by default, and takes --repository, --no-repair and --wait', () => {
    expect(parse().options).toMatchObject({ repair: true });
    expect(parse('--repository', 'team/app', '--no-repair', '--wait').options).toMatchObject({
      repository: 'team/app',
      repair: false,
      wait: true,
    });
  });

  it('routes `scrub show <id>` to the job', () => {
    expect(parse('show', '0b6f0c4e-0000-4000-8000-000000000000').shown).toBe(
      '0b6f0c4e-0000-4000-8000-000000000000',
    );
  });
});

describe(describeScrub.name, () => {
  it('says how far the job is and what it found', () => {
    const job = buildJob({
      progress: {
        blobsChecked: 12,
        blobsTotal: 40,
        bytesChecked: 3 * 1024 * 1024,
        bytesTotal: 10 * 1024 * 1024,
      },
      counts: { ok: 10, corrupt: 1, missing: 1, repaired: 1, unrepairable: 1 },
    });
    expect(describeScrub(job)).toBe(
      '12/40 blobs, 3.0/10.0 MiB, 1 corrupt, 1 missing, 1 repaired, 1 unrepairable',
    );
  });
});

describe(scrubProgressDisplay.name, () => {
  it('writes a line off a terminal only when the job moves a tenth, finds something or ends', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const sut = await scrubProgressDisplay(stream);
    const MiB = 1024 * 1024;
    const at = (bytes: number, corrupt = 0, state: ScrubJob['state'] = 'running') =>
      buildJob({
        state,
        progress: { blobsChecked: 0, blobsTotal: 40, bytesChecked: bytes, bytesTotal: 10 * MiB },
        counts: { ok: 0, corrupt, missing: 0, repaired: 0, unrepairable: 0 },
      });

    sut.update(at(0));
    sut.update(at(0.5 * MiB));
    sut.update(at(1 * MiB));
    sut.update(at(1.2 * MiB, 1));
    sut.update(at(10 * MiB, 1, 'succeeded'));
    sut.stop();

    expect(lines.map((line) => line.split(': ')[0])).toEqual([
      'scrub 0b6f0c4e-0000-4000-8000-000000000000 running',
      'scrub 0b6f0c4e-0000-4000-8000-000000000000 running',
      'scrub 0b6f0c4e-0000-4000-8000-000000000000 running',
      'scrub 0b6f0c4e-0000-4000-8000-000000000000 succeeded',
    ]);
    expect(lines[2]).toContain('1 corrupt');
  });
});
