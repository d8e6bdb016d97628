import { ManagedProcess } from '@meridian/process';
import { expectEventually } from '@meridian/testing';
import {
  type RestartPolicy,
  type SupervisedUnit,
  Supervisor,
  type SupervisorEvents,
} from '../src/supervisor';

const policy: RestartPolicy = {
  initialDelayMs: 20,
  maxDelayMs: 100,
  stableAfterMs: 60_000,
  maxStartFailures: 3,
};

/** A unit whose n-th launch runs the n-th script (the last one repeats). */
function scriptedUnit(scripts: string[]): SupervisedUnit & { launches: number } {
  const unit = {
    name: 'test/worker',
    launches: 0,
    async launch(onSpawn: (process: ManagedProcess) => void) {
      const script = scripts[Math.min(unit.launches, scripts.length - 1)]!;
      unit.launches++;
      const child = ManagedProcess.spawn({
        name: 'test/worker',
        command: process.execPath,
        args: ['-e', script],
      });
      onSpawn(child);
      try {
        await child.waitForLine((line) => line.text === 'ready', {
          timeoutMs: 5_000,
          description: 'ready',
        });
        return child;
      } catch (error) {
        await child.stop({ signal: 'SIGKILL' });
        throw error;
      }
    },
  };
  return unit;
}

function recorder() {
  const seen: string[] = [];
  const events: SupervisorEvents = {
    exited: (name, status) => seen.push(`exited ${status.code}`),
    startFailed: () => seen.push('start failed'),
    gaveUp: (name, error) => seen.push(`gave up: ${error.message.split(';')[0]}`),
  };
  return { seen, events };
}

const serve = "console.log('ready'); setInterval(() => {}, 1000)";
const crashSoon = "console.log('ready'); setTimeout(() => process.exit(7), 50)";
const failAtStart = "console.error('bad config'); process.exit(2)";

describe(Supervisor.name, () => {
  const supervisors: Supervisor[] = [];
  const supervise = (unit: SupervisedUnit, events: SupervisorEvents) => {
    const supervisor = new Supervisor(unit, events, policy);
    supervisors.push(supervisor);
    return supervisor;
  };
  afterEach(() => Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop())));

  it('restarts a process that exits while it should run', async () => {
    const unit = scriptedUnit([crashSoon, serve]);
    const { seen, events } = recorder();
    const sut = supervise(unit, events);
    await sut.start();
    await expectEventually(() => expect(unit.launches).toBe(2));
    await expectEventually(() => expect(sut.process?.running).toBe(true));
    expect(seen).toEqual(['exited 7']);
  });

  it('tries a failed start again, and succeeds', async () => {
    const unit = scriptedUnit([failAtStart, serve]);
    const { seen, events } = recorder();
    const sut = supervise(unit, events);
    await sut.start();
    expect(seen).toEqual(['start failed']);
    expect(sut.process?.running).toBe(true);
  });

  it('gives up on a process that cannot start, with its last lines', async () => {
    const unit = scriptedUnit([failAtStart]);
    const { events } = recorder();
    const sut = supervise(unit, events);
    await expect(sut.start()).rejects.toThrow(
      /exited with code 2 before ready; last output:\n {2}bad config/,
    );
    expect(unit.launches).toBe(3);
  });

  it('does not retry an error raised before any process ran', async () => {
    let launches = 0;
    const unit: SupervisedUnit = {
      name: 'test/unstartable',
      launch: () => {
        launches++;
        return Promise.reject(new Error('cannot enter /root'));
      },
    };
    const { seen, events } = recorder();
    await expect(supervise(unit, events).start()).rejects.toThrow('cannot enter /root');
    expect(launches).toBe(1);
    expect(seen).toEqual([]);
  });

  it('reports giving up when a crashed process cannot be brought back', async () => {
    const unit = scriptedUnit([crashSoon, failAtStart]);
    const { seen, events } = recorder();
    const sut = supervise(unit, events);
    await sut.start();
    await expectEventually(() =>
      expect(seen).toContain('gave up: test/worker exited with code 2 before ready'),
    );
    expect(seen).toEqual([
      'exited 7',
      'start failed',
      'start failed',
      'gave up: test/worker exited with code 2 before ready',
    ]);
  });

  it('does not restart after stop', async () => {
    const unit = scriptedUnit([serve]);
    const { seen, events } = recorder();
    const sut = supervise(unit, events);
    await sut.start();
    await sut.stop();
    expect(sut.process?.running).toBe(false);
    expect(unit.launches).toBe(1);
    expect(seen).toEqual([]);
  });
});
