import { manifestRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { blobsOf, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

const repo = 'team/quarantined';

describe('quarantine in the manifest service (Postgres, NATS)', () => {
  let harness: ManifestServiceHarness;

  beforeAll(async () => {
    harness = await ManifestServiceHarness.start('manifest-quarantine');
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const setting = (enabled: boolean) =>
    harness.client.request(manifestRpc.setQuarantineSetting, { enabled });
  const state = (digest: string) =>
    harness.client.request(manifestRpc.quarantineState, { repository: repo, digest });
  const decide = (digest: string, state: 'passed' | 'failed', onlyIfQuarantined = false) =>
    harness.client.request(manifestRpc.decideQuarantine, {
      repository: repo,
      digest,
      state,
      onlyIfQuarantined,
    });

  it('quarantines pushes while the setting is on, and the decision shows in every read', async () => {
    const before = buildOciManifest({ layers: [buildBlob('before quarantine')] });
    await harness.push(repo, before, 'before');
    await setting(true);
    await expect(harness.client.request(manifestRpc.quarantineSetting, {})).resolves.toEqual({
      enabled: true,
    });
    const image = buildOciManifest({ layers: [buildBlob('quarantined image')] });

    await harness.push(repo, image, 'v1');

    await expect(state(before.digest)).resolves.toEqual({ state: 'none' });
    await expect(state(image.digest)).resolves.toEqual({ state: 'quarantined' });
    await expect(harness.get(repo, 'v1', false)).resolves.toMatchObject({
      quarantine: 'quarantined',
    });
    await expect(harness.get(repo, 'before', false)).resolves.not.toHaveProperty('quarantine');

    await expect(decide(image.digest, 'failed')).resolves.toEqual({
      state: 'failed',
      changed: true,
    });
    // a scan never overrides what an external scanner decided
    await expect(decide(image.digest, 'passed', true)).resolves.toEqual({
      state: 'failed',
      changed: false,
    });
    await expect(harness.get(repo, image.digest, false)).resolves.toMatchObject({
      quarantine: 'failed',
    });
    await expectEventually(() =>
      expect(
        harness.eventsNamed('quarantine.changed.v1').map((event) => event.payload['state']),
      ).toEqual(['quarantined', 'failed']),
    );
    expect(harness.eventsNamed('quarantine-setting.changed.v1')).toHaveLength(1);
    await setting(false);
  });

  it("applies another region's decision only when it is newer than the one held", async () => {
    const image = buildOciManifest({ layers: [buildBlob('replicated decision')] });
    await harness.push(repo, image, image.digest);
    const event = {
      eventId: '5a0e6a43-2f1c-4b58-9d7e-0c1b2a3d4e5f',
      originRegion: 'eu-west',
      occurredAt: new Date().toISOString(),
      repository: repo,
      digest: image.digest,
      mediaType: image.mediaType,
      size: image.size,
    };
    const newer = { ...event, hlc: '999999999999999.000000.eu-west', state: 'passed' as const };
    const older = { ...event, hlc: '000000000000001.000000.eu-west', state: 'failed' as const };

    await harness.apply({ kind: 'quarantine.changed', event: newer });
    await expect(harness.apply({ kind: 'quarantine.changed', event: older })).resolves.toEqual({
      outcome: 'superseded',
    });

    await expect(state(image.digest)).resolves.toEqual({ state: 'passed' });
  });

  it("stores a peer's quarantined push quarantined, unless a newer decision arrived first", async () => {
    const pushedEvent = (manifest: ReturnType<typeof buildOciManifest>, hlc: string) => ({
      eventId: crypto.randomUUID(),
      originRegion: 'eu-west',
      hlc,
      occurredAt: new Date().toISOString(),
      repository: repo,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      body: manifest.base64,
      references: { blobs: blobsOf(manifest), manifests: [] },
      quarantined: true,
    });
    const blocked = buildOciManifest({ layers: [buildBlob('peer quarantined')] });
    const decided = buildOciManifest({ layers: [buildBlob('peer decided first')] });
    harness.blobs.add(repo, ...blobsOf(blocked), ...blobsOf(decided));
    await harness.apply({
      kind: 'quarantine.changed',
      event: {
        ...pushedEvent(decided, '000000000000200.000000.eu-west'),
        state: 'passed',
      },
    });

    await harness.apply({
      kind: 'manifest.pushed',
      event: pushedEvent(blocked, '000000000000100.000000.eu-west'),
    });
    await harness.apply({
      kind: 'manifest.pushed',
      event: pushedEvent(decided, '000000000000100.000000.eu-west'),
    });

    await expect(state(blocked.digest)).resolves.toEqual({ state: 'quarantined' });
    await expect(state(decided.digest)).resolves.toEqual({ state: 'passed' });
  });

  it('answers MANIFEST_UNKNOWN for a manifest the repository does not have', async () => {
    await expect(state(`sha256:${'d'.repeat(64)}`)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });
});
