import type { GcJob } from '@meridian/contracts';
import { buildProgram } from '../program';
import { type GcFlags, describe as describeJob, formatBytes } from './gc.commands';

const job: GcJob = {
  id: '0b6f4c8e-2f3a-4d7e-9a1b-5c6d7e8f9a0b',
  status: 'succeeded',
  dryRun: true,
  trigger: 'api',
  createdTime: '2026-12-06T12:00:00.000Z',
  progress: {
    blobsExamined: 120,
    linksRemoved: 4,
    blobsFreed: 3,
    bytesFreed: 5 * 1024 * 1024,
    blobsBusy: 1,
    inGracePeriod: 7,
    uploadLeftoversRemoved: 0,
  },
};

describe('meridian gc', () => {
  it('says what a dry run would free, in words', () => {
    expect(describeJob(job)).toBe(
      'examined 120 blobs, would free 3 (5.0 MiB), removed 4 unreferenced links, 7 in their grace period, 1 busy',
    );
    expect(describeJob({ ...job, dryRun: false })).toContain('freed 3 (5.0 MiB)');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('parses its flags with the real command tree', () => {
    const program = buildProgram();
    const gc = program.commands.find((command) => command.name() === 'gc')!;
    let captured: GcFlags = {};
    let shown: string | undefined;
    gc.action((options: GcFlags) => {
      captured = options;
    });
    gc.commands
      .find((command) => command.name() === 'show')!
      .action((id: string) => {
        shown = id;
      });
    for (const command of [program, gc, ...gc.commands]) {
      command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    }
    program.parse(['gc', '--dry-run', '--wait', '--timeout', '10m'], { from: 'user' });
    expect(captured).toMatchObject({ dryRun: true, wait: true, timeout: '10m', interval: '2s' });
    program.parse(['gc', 'show', job.id], { from: 'user' });
    expect(shown).toBe(job.id);
  });
});
