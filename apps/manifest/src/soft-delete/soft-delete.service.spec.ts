import { HybridLogicalClock } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { createLogger } from '@meridian/telemetry';
import { InMemorySoftDeleteRepository } from '../../test/fakes/in-memory-soft-delete.repository';
import { SoftDeleteService } from './soft-delete.service';

const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });

function service(now = 1_000) {
  const softDelete = new InMemorySoftDeleteRepository();
  const outbox = new Outbox('manifest', new HybridLogicalClock('us-east', () => now));
  return { softDelete, sut: new SoftDeleteService(softDelete, outbox, logger) };
}

const envelope = (hlc: string) => ({
  eventId: '3f1d2c4b-6a7e-4b8c-9d0e-1f2a3b4c5d6e',
  originRegion: 'eu-west',
  hlc,
  occurredAt: '2026-11-23T12:00:06.000Z',
});

describe('SoftDeleteService (the soft delete setting)', () => {
  it('is off with 7 days until someone sets it', async () => {
    await expect(service().sut.policy()).resolves.toEqual({ enabled: false, retentionDays: 7 });
  });

  it('sets it and announces soft-delete-setting.changed.v1', async () => {
    const { softDelete, sut } = service();
    await expect(sut.setPolicy({ enabled: true, retentionDays: 30 }, {})).resolves.toEqual({
      enabled: true,
      retentionDays: 30,
    });
    await expect(sut.policy()).resolves.toEqual({ enabled: true, retentionDays: 30 });
    expect(softDelete.events).toEqual([
      {
        name: 'soft-delete-setting.changed.v1',
        payload: expect.objectContaining({
          enabled: true,
          retentionDays: 30,
          originRegion: 'us-east',
        }),
      },
    ]);
  });

  it("applies another region's change only when it is newer than the stored one", async () => {
    const { sut } = service();
    const newer = '001795441205000.000000.eu-west';
    const older = '001795441204000.000000.eu-west';
    await expect(
      sut.applyPolicy({ ...envelope(newer), enabled: true, retentionDays: 3 }),
    ).resolves.toBe('applied');
    await expect(
      sut.applyPolicy({ ...envelope(older), enabled: false, retentionDays: 9 }),
    ).resolves.toBe('superseded');
    await expect(sut.policy()).resolves.toEqual({ enabled: true, retentionDays: 3 });
  });

  it("stamps a local change after the newest change it knows of, so it wins over the peer's", async () => {
    const { softDelete, sut } = service(1);
    await sut.applyPolicy({
      ...envelope('001795441205000.000000.eu-west'),
      enabled: true,
      retentionDays: 3,
    });
    await sut.setPolicy({ enabled: false, retentionDays: 3 }, {});
    expect(softDelete.stored!.hlc > '001795441205000.000000.eu-west').toBe(true);
  });
});
