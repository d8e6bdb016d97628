import { HybridLogicalClock, RegistryError } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { mediaTypes } from '@meridian/oci';
import { createLogger } from '@meridian/telemetry';
import { blobsOf, buildArtifact, buildBlob, buildOciManifest } from '../../test/build-manifest';
import { at } from '../../test/build-events';
import { InMemoryBlobPresence } from '../../test/fakes/in-memory-blob-presence';
import { InMemoryManifestsRepository } from '../../test/fakes/in-memory-manifests.repository';
import { InMemoryQuarantineRepository } from '../../test/fakes/in-memory-quarantine.repository';
import { ManifestsService } from '../manifests/manifests.service';
import { QuarantineService } from './quarantine.service';

const repo = 'team/app';
const context = { actor: { name: 'scanner' } };
const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });
const outbox = () =>
  new Outbox('manifest', new HybridLogicalClock('us-east', () => 1_700_000_000_000));
const digest = `sha256:${'a'.repeat(64)}`;
const image = { mediaType: mediaTypes.ociManifest, size: 512, tag: 'v1' };

describe('quarantine at push', () => {
  function registry(enabled: boolean) {
    const manifests = new InMemoryManifestsRepository();
    manifests.setQuarantine(enabled);
    const blobs = new InMemoryBlobPresence();
    const sut = new ManifestsService(manifests, blobs, outbox(), logger);
    const push = (manifest: ReturnType<typeof buildOciManifest>, reference: string) => {
      blobs.add(repo, ...blobsOf(manifest));
      return sut.put({ repository: repo, reference, body: manifest.base64 }, context);
    };
    return { manifests, sut, push };
  }

  it('quarantines a new image while the setting is on, announcing it with the push', async () => {
    const { manifests, sut, push } = registry(true);
    const manifest = buildOciManifest({ layers: [buildBlob('on')] });

    await push(manifest, 'v1');

    expect(manifests.quarantineOf(repo, manifest.digest)).toBe('quarantined');
    const pushed = manifests.events.find((event) => event.name === 'manifest.pushed.v1')!;
    const quarantined = manifests.events.find((event) => event.name === 'quarantine.changed.v1');
    expect(pushed.payload['quarantined']).toBe(true);
    expect(quarantined?.payload).toMatchObject({
      repository: repo,
      digest: manifest.digest,
      tag: 'v1',
      state: 'quarantined',
      hlc: pushed.payload['hlc'],
    });
    await expect(
      sut.get({ repository: repo, reference: 'v1', includeBody: false }),
    ).resolves.toMatchObject({ quarantine: 'quarantined' });
  });

  it('leaves images alone while the setting is off', async () => {
    const { manifests, push } = registry(false);
    const manifest = buildOciManifest({ layers: [buildBlob('off')] });

    await push(manifest, 'v1');

    expect(manifests.quarantineOf(repo, manifest.digest)).toBeUndefined();
    expect(manifests.events.map((event) => event.name)).not.toContain('quarantine.changed.v1');
  });

  it('does not quarantine an artifact that refers to an image (an SBOM, a signature)', async () => {
    const { manifests, push } = registry(true);
    const subject = buildOciManifest({ layers: [buildBlob('subject')] });
    const sbom = buildArtifact({
      artifactType: 'application/vnd.cyclonedx+json',
      subject,
      layers: [buildBlob('sbom')],
    });
    await push(subject, subject.digest);

    await push(sbom, sbom.digest);

    expect(manifests.quarantineOf(repo, sbom.digest)).toBeUndefined();
  });
});

describe(QuarantineService.name, () => {
  function service() {
    const quarantine = new InMemoryQuarantineRepository().addManifest(repo, digest, image);
    return { quarantine, sut: new QuarantineService(quarantine, outbox(), logger) };
  }

  it('answers none for an image pushed while quarantine was off, and MANIFEST_UNKNOWN for none', async () => {
    const { sut } = service();

    await expect(sut.state(repo, digest)).resolves.toEqual({ state: 'none' });
    await expect(sut.state(repo, `sha256:${'b'.repeat(64)}`)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });

  it('passes a quarantined image and announces it once', async () => {
    const { quarantine, sut } = service();
    await quarantine.applyChange({ repository: repo, digest, state: 'quarantined', hlc: at(1) });
    const decision = {
      repository: repo,
      digest,
      state: 'passed' as const,
      onlyIfQuarantined: true,
    };

    await expect(sut.decide(decision, context)).resolves.toEqual({
      state: 'passed',
      changed: true,
    });
    await expect(sut.decide(decision, context)).resolves.toEqual({
      state: 'passed',
      changed: false,
    });

    expect(quarantine.events).toHaveLength(1);
    expect(quarantine.events[0]!.payload).toMatchObject({ state: 'passed', ...image });
    await expect(sut.state(repo, digest)).resolves.toEqual({ state: 'passed' });
  });

  it('lets a scan decide only a quarantined image, never over an external decision', async () => {
    const { quarantine, sut } = service();
    await sut.decide(
      { repository: repo, digest, state: 'failed', details: 'by hand', onlyIfQuarantined: false },
      context,
    );

    const scan = await sut.decide(
      { repository: repo, digest, state: 'passed', onlyIfQuarantined: true },
      context,
    );

    expect(scan).toEqual({ state: 'failed', changed: false });
    expect(quarantine.events.map((event) => event.payload['state'])).toEqual(['failed']);
  });

  it('refuses to decide a manifest the repository does not have', async () => {
    const { sut } = service();
    const unknown = {
      repository: repo,
      digest: `sha256:${'c'.repeat(64)}`,
      state: 'passed' as const,
      onlyIfQuarantined: false,
    };

    await expect(sut.decide(unknown, context)).rejects.toBeInstanceOf(RegistryError);
  });

  it("keeps the newest of two regions' decisions whatever order they arrive in", async () => {
    const older = {
      ...image,
      eventId: '3b6f0d2e-8a41-4c7e-9f1a-2d4c6e8a0b1c',
      originRegion: 'us-east',
      occurredAt: new Date(0).toISOString(),
      repository: repo,
      digest,
    };
    for (const order of [
      ['passed', 'failed'],
      ['failed', 'passed'],
    ] as const) {
      const { sut } = service();
      const events = {
        failed: { ...older, hlc: at(2000, 'eu-west'), state: 'failed' as const },
        passed: { ...older, hlc: at(1000, 'us-east'), state: 'passed' as const },
      };
      for (const state of order) await sut.applyChange(events[state]);
      await expect(sut.state(repo, digest)).resolves.toEqual({ state: 'failed' });
    }
  });

  it('turns the setting on, announcing it, and applies a newer change from another region', async () => {
    const { quarantine, sut } = service();

    await sut.setSetting(true, context);
    expect(await sut.setting()).toEqual({ enabled: true });
    expect(quarantine.events[0]).toMatchObject({
      name: 'quarantine-setting.changed.v1',
      payload: { enabled: true },
    });

    const stale = {
      eventId: '3b6f0d2e-8a41-4c7e-9f1a-2d4c6e8a0b1c',
      originRegion: 'eu-west',
      occurredAt: new Date(0).toISOString(),
      hlc: at(1, 'eu-west'),
      enabled: false,
    };
    await expect(sut.applySetting(stale)).resolves.toBe('superseded');
    await expect(
      sut.applySetting({ ...stale, hlc: at(9_999_999_999_999, 'eu-west') }),
    ).resolves.toBe('applied');
    expect(await sut.setting()).toEqual({ enabled: false });
  });
});
