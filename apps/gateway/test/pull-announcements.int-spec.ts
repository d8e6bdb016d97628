/**
 * A manifest GET through the real gateway announces `image.pulled.v1` on the region's pulls
 * subject, where the pulls stream (as the webhook service creates it) stores it; a HEAD and a
 * GET that finds nothing announce nothing; and nothing of it reaches the events stream.
 */
import { eventStreamName, imagePulled, pullStreamName, pullSubject } from '@meridian/contracts';
import { Messaging } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { expectEventually } from '@meridian/testing';
import { expectStatus, pushImage } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('pull announcements', () => {
  let registry: RegistryUnderTest;
  let messaging: Messaging;
  const region = 'us-east';

  beforeAll(async () => {
    registry = await startRegistry();
    messaging = await Messaging.connect({
      servers: registry.config.natsUrl,
      region,
      service: 'webhook',
      logger: createLogger({ service: 'webhook-test', region, level: 'silent' }),
    });
    await messaging.ensurePullStream();
  }, 120_000);

  afterAll(async () => {
    await messaging?.close();
    await registry?.stop();
  });

  async function storedPulls(): Promise<unknown[]> {
    const jsm = await messaging.jetStreamManager();
    const { state } = await jsm.streams.info(pullStreamName(region));
    const pulls: unknown[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
      const message = await jsm.streams.getMessage(pullStreamName(region), { seq });
      if (message) pulls.push(message.json());
    }
    return pulls;
  }

  it('announces a GET by tag and by digest, not a HEAD nor a miss', async () => {
    const { manifest } = await pushImage(registry, 'pulls/app', 'v1');
    const manifests = '/v2/pulls/app/manifests';

    await expectStatus(await registry.request(`${manifests}/v1`, { method: 'HEAD' }), 200);
    await expectStatus(await registry.request(`${manifests}/v1`), 200);
    await expectStatus(await registry.request(`${manifests}/${manifest.digest}`), 200);
    await expectStatus(await registry.request(`${manifests}/v404`), 404);

    const pulls = await expectEventually(async () => {
      const stored = await storedPulls();
      expect(stored).toHaveLength(2);
      return stored.map((pull) => imagePulled.schema.parse(pull));
    });
    const common = {
      repository: 'pulls/app',
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.body.length,
      region,
      originRegion: region,
      actor: { name: expect.any(String) },
      request: expect.objectContaining({ method: 'GET' }),
    };
    expect(pulls[0]).toMatchObject({ ...common, tag: 'v1' });
    expect(pulls[1]).toMatchObject(common);
    expect(pulls[1]!.tag).toBeUndefined();

    const jsm = await messaging.jetStreamManager();
    const events = await jsm.streams.info(eventStreamName(region));
    expect(events.config.subjects).not.toContain(pullSubject(region, imagePulled.name));
    const pullsInEvents = await jsm.streams
      .getMessage(eventStreamName(region), {
        last_by_subj: pullSubject(region, imagePulled.name),
      })
      .catch(() => null);
    expect(pullsInEvents).toBeNull();
  });
});
