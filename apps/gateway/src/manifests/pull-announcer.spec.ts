import { imagePulled, pullSubject } from '@meridian/contracts';
import { createLogger } from '@meridian/telemetry';
import { PullAnnouncer, type PullPublisher, pullStreamCheckMs } from './pull-announcer';

const digest = `sha256:${'b'.repeat(64)}`;
const served = {
  repository: 'team/app',
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 528,
  tag: 'v1',
};
const context = {
  actor: { name: 'ci' },
  request: { id: 'req-1', host: '127.0.0.1:5000', method: 'GET', useragent: 'skopeo/1.13' },
};

class RecordingPublisher implements PullPublisher {
  readonly region = 'us-east';
  readonly published: Array<{ subject: string; payload: unknown; msgId: string }> = [];
  broken = false;
  streamKept = true;
  lookups = 0;

  publishWithoutAck(subject: string, payload: unknown, msgId: string): void {
    if (this.broken) throw new Error('connection closed');
    this.published.push({ subject, payload, msgId });
  }

  async pullStreamExists(): Promise<boolean> {
    this.lookups += 1;
    return this.streamKept;
  }
}

const logger = createLogger({ service: 'gateway-test', region: 'us-east', level: 'silent' });

describe(PullAnnouncer.name, () => {
  it('publishes image.pulled.v1 on the pulls subject, the event id as message id', () => {
    const publisher = new RecordingPublisher();
    new PullAnnouncer(publisher, logger).announce(served, context);

    expect(publisher.published).toHaveLength(1);
    const [sent] = publisher.published;
    expect(sent!.subject).toBe(pullSubject('us-east', 'image.pulled.v1'));
    const event = imagePulled.schema.parse(sent!.payload);
    expect(sent!.msgId).toBe(event.eventId);
    expect(event).toMatchObject({
      ...served,
      region: 'us-east',
      originRegion: 'us-east',
      actor: { name: 'ci' },
      request: context.request,
    });
  });

  it('leaves the tag out of a pull by digest', () => {
    const publisher = new RecordingPublisher();
    const { tag: _byTag, ...byDigest } = served;
    new PullAnnouncer(publisher, logger).announce(byDigest, {});

    const event = imagePulled.schema.parse(publisher.published[0]!.payload);
    expect(event.tag).toBeUndefined();
    expect(event.actor).toBeUndefined();
  });

  it('returns normally when the publish fails, and announces again once it works', () => {
    const publisher = new RecordingPublisher();
    const sut = new PullAnnouncer(publisher, logger);
    publisher.broken = true;

    expect(() => sut.announce(served, context)).not.toThrow();
    expect(() => sut.announce(served, context)).not.toThrow();
    publisher.broken = false;
    sut.announce(served, context);

    expect(publisher.published).toHaveLength(1);
  });

  describe('while no webhook keeps pulls', () => {
    beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-11-23T16:00:00Z') }));
    afterEach(() => jest.useRealTimers());

    it('publishes nothing once the pulls stream is known to be absent, and again once it is back', async () => {
      const publisher = new RecordingPublisher();
      publisher.streamKept = false;
      const sut = new PullAnnouncer(publisher, logger);

      sut.announce(served, context); // not known yet: published, and looked up
      await Promise.resolve();
      for (let pull = 0; pull < 100; pull += 1) sut.announce(served, context);
      expect(publisher.published).toHaveLength(1);
      expect(publisher.lookups).toBe(1);

      publisher.streamKept = true;
      jest.advanceTimersByTime(pullStreamCheckMs);
      sut.announce(served, context); // stale: looked up again, still skipped
      await Promise.resolve();
      sut.announce(served, context);

      expect(publisher.lookups).toBe(2);
      expect(publisher.published).toHaveLength(2);
    });
  });
});
