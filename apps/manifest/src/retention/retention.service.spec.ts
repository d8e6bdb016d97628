import { Outbox } from '@meridian/database';
import { HybridLogicalClock } from '@meridian/contracts';
import { createLogger } from '@meridian/telemetry';
import { InMemoryRetentionRepository } from '../../test/fakes/in-memory-retention.repository';
import { RetentionService } from './retention.service';

const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });

function service(now = 1_000) {
  const retention = new InMemoryRetentionRepository();
  const outbox = new Outbox('manifest', new HybridLogicalClock('us-east', () => now));
  return { retention, sut: new RetentionService(retention, outbox, logger) };
}

const envelope = (hlc: string) => ({
  eventId: '7c2e4a91-5b3d-4f6e-8a0c-1d2e3f4a5b6c',
  originRegion: 'eu-west',
  hlc,
  occurredAt: '2026-11-23T12:00:05.000Z',
});

describe('RetentionService (the retention policy)', () => {
  it('is off with 7 days until someone sets it', async () => {
    await expect(service().sut.policy()).resolves.toEqual({ enabled: false, days: 7 });
  });

  it('sets the policy and announces retention-setting.changed.v1', async () => {
    const { retention, sut } = service();
    await expect(sut.setPolicy({ enabled: true, days: 0 }, {})).resolves.toEqual({
      enabled: true,
      days: 0,
    });
    await expect(sut.policy()).resolves.toEqual({ enabled: true, days: 0 });
    expect(retention.events).toEqual([
      {
        name: 'retention-setting.changed.v1',
        payload: expect.objectContaining({ enabled: true, days: 0, originRegion: 'us-east' }),
      },
    ]);
  });

  it("applies another region's change only when it is newer than the stored one", async () => {
    const { sut } = service();
    const newer = '001795441205000.000000.eu-west';
    const older = '001795441204000.000000.eu-west';
    await expect(sut.applyPolicy({ ...envelope(newer), enabled: true, days: 3 })).resolves.toBe(
      'applied',
    );
    await expect(sut.applyPolicy({ ...envelope(older), enabled: false, days: 9 })).resolves.toBe(
      'superseded',
    );
    await expect(sut.policy()).resolves.toEqual({ enabled: true, days: 3 });
  });

  it("stamps a local change after the newest change it knows of, so it wins over the peer's", async () => {
    const { retention, sut } = service(1);
    await sut.applyPolicy({
      ...envelope('001795441205000.000000.eu-west'),
      enabled: true,
      days: 3,
    });
    await sut.setPolicy({ enabled: false, days: 3 }, {});
    expect((retention.stored?.hlc ?? '') > '001795441205000.000000.eu-west').toBe(true);
  });
});
