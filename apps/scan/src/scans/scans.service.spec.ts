import { randomUUID } from 'node:crypto';
import {
  HybridLogicalClock,
  type ManifestPushed,
  scanReportArtifactType,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { type DigestAlgorithm, computeDigest, mediaTypes, sha256Digest } from '@meridian/oci';
import type { DetectedPackage } from '@meridian/scanning';
import { createLogger } from '@meridian/telemetry';
import {
  FakeAdvisoryMatcher,
  FakeLayerReader,
  FakeRegistryClient,
  RecordingReferrerPublisher,
} from '../../test/fakes/fake-scan-parts';
import { InMemoryScansRepository } from '../../test/fakes/in-memory-scans.repository';
import { ScanReportsService } from './scan-reports.service';
import { ScansService } from './scans.service';

const repo = 'team/app';
const logger = createLogger({ service: 'scan', region: 'us-east', level: 'silent' });

function pkg(name: string, version: string): DetectedPackage {
  return {
    type: 'deb',
    ecosystem: 'Debian:12',
    name,
    version,
    purl: `pkg:deb/debian/${name}@${version}`,
    location: 'var/lib/dpkg/status',
  };
}

function image(
  layer: string,
  extra: Record<string, unknown> = {},
  algorithm: DigestAlgorithm = 'sha256',
) {
  const digestOf = (content: Buffer | string) => computeDigest(content, algorithm);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: digestOf(`config ${layer}`), size: 2 },
      layers: [{ mediaType: mediaTypes.ociLayerTarGzip, digest: digestOf(layer), size: 10 }],
      ...extra,
    }),
  );
  return { body, digest: digestOf(body), layer: digestOf(layer) };
}

function pushed(
  body: Buffer,
  mediaType: string,
  extra: Partial<ManifestPushed> = {},
): ManifestPushed {
  return {
    eventId: randomUUID(),
    originRegion: 'us-east',
    hlc: '001700000000000.000000.us-east',
    occurredAt: new Date().toISOString(),
    repository: repo,
    digest: sha256Digest(body),
    mediaType,
    size: body.byteLength,
    tag: 'v1',
    body: body.toString('base64'),
    references: { blobs: [], manifests: [] },
    ...extra,
  };
}

const openssl = { id: 'DSA-5000-1', aliases: ['CVE-2026-0001'], severity: 'HIGH' as const };
const zlib = { id: 'DSA-5001-1', aliases: ['CVE-2026-0002'], severity: 'LOW' as const };

function scanner() {
  const scans = new InMemoryScansRepository();
  const layers = new FakeLayerReader();
  const advisories = new FakeAdvisoryMatcher();
  const referrers = new RecordingReferrerPublisher();
  const registry = new FakeRegistryClient();
  const outbox = new Outbox('scan', new HybridLogicalClock('us-east', () => 1_700_000_000_000));
  const sut = new ScansService(
    scans,
    layers,
    advisories,
    referrers,
    registry,
    outbox,
    { region: 'us-east', enabled: true, quarantineSeverity: 'HIGH' },
    logger,
  );
  const reports = new ScanReportsService(scans, advisories, referrers, registry, outbox, logger);
  return { sut, reports, scans, layers, advisories, referrers, registry };
}

describe(ScansService.name, () => {
  it('reports findings, attaches the SBOM and the report, announces it and fails quarantine at HIGH', async () => {
    const { sut, reports, scans, layers, advisories, referrers, registry } = scanner();
    const vulnerable = image('debian layer');
    layers.byLayer.set(vulnerable.layer, {
      os: { id: 'debian', versionId: '12' },
      packages: [pkg('openssl', '3.0.1'), pkg('zlib1g', '1.2.13')],
      errors: [],
    });
    advisories.advisories.set('openssl', [openssl]).set('zlib1g', [zlib]);

    await sut.scanPushed(pushed(vulnerable.body, mediaTypes.ociManifest));

    const report = await reports.report(repo, vulnerable.digest);
    expect(report.findings).toEqual({ CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 0 });
    expect(report.images[0]).toMatchObject({
      digest: vulnerable.digest,
      os: 'debian 12',
      packages: 2,
    });
    expect(report.images[0]!.findings.map((finding) => finding.id)).toEqual([
      'DSA-5000-1',
      'DSA-5001-1',
    ]);
    expect(referrers.attached.map((referrer) => referrer.artifactType)).toEqual([
      'application/vnd.cyclonedx+json',
      scanReportArtifactType,
    ]);
    expect(referrers.attached[0]!.subject).toMatchObject({
      repository: repo,
      digest: vulnerable.digest,
    });
    expect(referrers.attached[0]!.body).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
    });
    expect(report.sbomDigest).toBeDefined();
    expect(report.reportDigest).toBeDefined();
    expect(scans.events).toEqual([
      expect.objectContaining({
        name: 'scan.completed.v1',
        payload: expect.objectContaining({
          digest: vulnerable.digest,
          tag: 'v1',
          findings: report.findings,
          newFindings: 2,
          reportDigest: report.reportDigest,
        }),
      }),
    ]);
    expect(registry.decisions).toEqual([
      expect.objectContaining({ digest: vulnerable.digest, state: 'failed' }),
    ]);
    expect(registry.decisions[0]!.details).toContain('CVE-2026-0001');
  });

  it('scans an image pushed by sha512 whose layers are sha512, reporting it by that digest', async () => {
    const { sut, reports, layers, advisories, referrers, registry } = scanner();
    const vulnerable = image('sha512 layer', {}, 'sha512');
    layers.byLayer.set(vulnerable.layer, { packages: [pkg('openssl', '3.0.1')], errors: [] });
    advisories.advisories.set('openssl', [openssl]);

    await sut.scanPushed(
      pushed(vulnerable.body, mediaTypes.ociManifest, { digest: vulnerable.digest }),
    );

    const report = await reports.report(repo, vulnerable.digest);
    expect(report.digest).toMatch(/^sha512:/);
    expect(report.findings.HIGH).toBe(1);
    expect(referrers.attached[0]!.subject).toMatchObject({ digest: vulnerable.digest });
    const hex = vulnerable.digest.slice('sha512:'.length);
    expect(referrers.attached[0]!.body).toMatchObject({
      serialNumber: expect.stringMatching(new RegExp(`^urn:uuid:${hex.slice(0, 8)}-`)),
    });
    expect(registry.decisions).toEqual([
      expect.objectContaining({ digest: vulnerable.digest, state: 'failed' }),
    ]);
  });

  it('passes an image whose findings are all below the threshold', async () => {
    const { sut, layers, advisories, registry } = scanner();
    const clean = image('low only');
    layers.byLayer.set(clean.layer, { packages: [pkg('zlib1g', '1.2.13')], errors: [] });
    advisories.advisories.set('zlib1g', [zlib]);

    await sut.scanPushed(pushed(clean.body, mediaTypes.ociManifest));

    expect(registry.decisions).toEqual([
      { digest: clean.digest, state: 'passed', details: 'no finding at or above HIGH' },
    ]);
  });

  it('fails an image a layer of which could not be read, and keeps the error in the report', async () => {
    const { sut, reports, layers, registry } = scanner();
    const broken = image('truncated');
    layers.byLayer.set(broken.layer, {
      packages: [],
      errors: [{ scope: 'layer', subject: broken.layer, message: 'unexpected end of archive' }],
    });

    await sut.scanPushed(pushed(broken.body, mediaTypes.ociManifest));

    expect(registry.decisions[0]).toMatchObject({ state: 'failed' });
    const report = await reports.report(repo, broken.digest);
    expect(report.images[0]!.errors).toEqual([`layer ${broken.layer}: unexpected end of archive`]);
  });

  it('scans each platform image of an index, reading an image already scanned only once', async () => {
    const { sut, reports, layers, registry } = scanner();
    const amd64 = image('amd64');
    const arm64 = image('arm64');
    layers.byLayer.set(amd64.layer, { packages: [pkg('bash', '5.2')], errors: [] });
    layers.byLayer.set(arm64.layer, {
      packages: [pkg('bash', '5.2'), pkg('curl', '8.0')],
      errors: [],
    });
    registry.manifests.set(amd64.digest, { mediaType: mediaTypes.ociManifest, body: amd64.body });
    registry.manifests.set(arm64.digest, { mediaType: mediaTypes.ociManifest, body: arm64.body });
    const descriptor = (child: ReturnType<typeof image>, architecture: string) => ({
      mediaType: mediaTypes.ociManifest,
      digest: child.digest,
      size: child.body.byteLength,
      platform: { os: 'linux', architecture },
    });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: [
          descriptor(amd64, 'amd64'),
          descriptor(arm64, 'arm64'),
          { ...descriptor(amd64, 'unknown'), platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      }),
    );
    await sut.scanPushed(pushed(amd64.body, mediaTypes.ociManifest));

    await sut.scanPushed(pushed(index, mediaTypes.ociIndex));

    const report = await reports.report(repo, sha256Digest(index));
    expect(report.images.map((entry) => [entry.platform, entry.packages])).toEqual([
      ['linux/amd64', 1],
      ['linux/arm64', 2],
    ]);
    expect(layers.reads).toBe(2);
  });

  it('leaves referrers and artifacts alone, its own reports included', async () => {
    const { sut, scans, layers, referrers } = scanner();
    const subject = image('subject');
    const report = image('report', {
      artifactType: scanReportArtifactType,
      subject: { mediaType: mediaTypes.ociManifest, digest: subject.digest, size: 1 },
    });
    const helm = image('chart', {
      config: {
        mediaType: 'application/vnd.cncf.helm.config.v1+json',
        digest: sha256Digest('c'),
        size: 1,
      },
    });

    await sut.scanPushed(pushed(report.body, mediaTypes.ociManifest, { subject: subject.digest }));
    await sut.scanPushed(pushed(helm.body, mediaTypes.ociManifest));

    expect(layers.reads).toBe(0);
    expect(referrers.attached).toEqual([]);
    expect(scans.events).toEqual([]);
  });

  it('counts as new what a push again finds since the database changed, reading no layer', async () => {
    const { sut, scans, layers, advisories } = scanner();
    const target = image('pushed again');
    layers.byLayer.set(target.layer, { packages: [pkg('openssl', '3.0.1')], errors: [] });
    await sut.scanPushed(pushed(target.body, mediaTypes.ociManifest));
    advisories.fingerprint = 'db-2';
    advisories.advisories.set('openssl', [openssl]);

    await sut.scanPushed(pushed(target.body, mediaTypes.ociManifest, { tag: 'v2' }));

    expect(layers.reads).toBe(1);
    expect(scans.events.map((event) => event.payload['newFindings'])).toEqual([0, 1]);
  });
});

describe(ScanReportsService.name, () => {
  it('re-matches stored packages when the database changes, announcing only new findings', async () => {
    const {
      sut: scanning,
      reports: sut,
      scans,
      layers,
      advisories,
      referrers,
      registry,
    } = scanner();
    const target = image('rematch');
    registry.manifests.set(target.digest, { mediaType: mediaTypes.ociManifest, body: target.body });
    layers.byLayer.set(target.layer, {
      packages: [pkg('openssl', '3.0.1'), pkg('zlib1g', '1.2.13')],
      errors: [],
    });
    advisories.advisories.set('zlib1g', [zlib]);
    await scanning.scanPushed(pushed(target.body, mediaTypes.ociManifest));
    expect(await sut.rematch()).toBe(0);

    advisories.fingerprint = 'db-2';
    advisories.advisories.set('openssl', [openssl]);
    expect(await sut.rematch()).toBe(1);

    expect(layers.reads).toBe(1);
    expect((await sut.report(repo, target.digest)).findings.HIGH).toBe(1);
    const reattached = referrers.attached.at(-1)!;
    expect(referrers.attached).toHaveLength(3);
    expect(reattached.artifactType).toBe(scanReportArtifactType);
    expect(reattached.body).toMatchObject({ findings: { HIGH: 1, LOW: 1 } });
    const report = await sut.report(repo, target.digest);
    expect(scans.events.at(-1)).toMatchObject({
      name: 'scan.completed.v1',
      payload: {
        digest: target.digest,
        newFindings: 1,
        findings: { HIGH: 1, LOW: 1 },
        reportDigest: report.reportDigest,
      },
    });
  });

  it('answers MANIFEST_UNKNOWN for an image it has not scanned', async () => {
    const { reports: sut } = scanner();

    await expect(sut.report(repo, sha256Digest('nothing'))).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });
});
