import { HybridLogicalClock } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { createLogger } from '@meridian/telemetry';
import {
  FakeAdvisoryMatcher,
  FakeRegistryClient,
  RecordingReferrerPublisher,
} from '../../test/fakes/fake-scan-parts';
import { InMemoryScansRepository } from '../../test/fakes/in-memory-scans.repository';
import { ScanReportsService } from '../scans/scan-reports.service';
import { AdvisoryRefresh } from './advisory-refresh';

const logger = createLogger({ service: 'scan', region: 'us-east', level: 'silent' });

/** A database whose rereads the test scripts: changed or not, or failing. */
class ScriptedMatcher extends FakeAdvisoryMatcher {
  readonly outcomes: (boolean | Error)[] = [];
  reloads = 0;

  override async reload(): Promise<boolean> {
    this.reloads += 1;
    const outcome = this.outcomes.shift() ?? false;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }
}

function refresher(...outcomes: (boolean | Error)[]) {
  const advisories = new ScriptedMatcher();
  advisories.outcomes.push(...outcomes);
  const reports = new ScanReportsService(
    new InMemoryScansRepository(),
    advisories,
    new RecordingReferrerPublisher(),
    new FakeRegistryClient(),
    new Outbox('scan', new HybridLogicalClock('us-east', () => 1_700_000_000_000)),
    logger,
  );
  const rematch = jest.spyOn(reports, 'rematch');
  return { sut: new AdvisoryRefresh(advisories, reports, 3600, logger), advisories, rematch };
}

describe(AdvisoryRefresh.name, () => {
  it('loads the database at boot and re-matches only when a reread changed it', async () => {
    const { sut, advisories, rematch } = refresher(true, false, true);
    await sut.onApplicationBootstrap();
    try {
      expect(rematch).toHaveBeenCalledTimes(1);
      await sut.refresh('interval');
      expect(rematch).toHaveBeenCalledTimes(1);
      await sut.refresh('interval');
      expect(rematch).toHaveBeenCalledTimes(2);
      expect(advisories.reloads).toBe(3);
    } finally {
      await sut.onApplicationShutdown();
    }
  });

  it('rereads on SIGHUP, and stops listening at shutdown', async () => {
    const { sut, advisories } = refresher(false, true);
    await sut.onApplicationBootstrap();
    process.emit('SIGHUP');
    await sut.onApplicationShutdown();
    expect(advisories.reloads).toBe(2);

    const listeners = process.listenerCount('SIGHUP');
    process.emit('SIGHUP');
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
    expect(advisories.reloads).toBe(2);
  });

  it('keeps the database in hand when a reread fails', async () => {
    const { sut, rematch } = refresher(new Error('not a zip'), true);
    await sut.onApplicationBootstrap();
    try {
      expect(rematch).not.toHaveBeenCalled();
      await sut.refresh('SIGHUP');
      expect(rematch).toHaveBeenCalledTimes(1);
    } finally {
      await sut.onApplicationShutdown();
    }
  });
});
