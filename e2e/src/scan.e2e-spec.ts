/**
 * Scanning and quarantine as users meet them, on `npm start` with an OSV advisory database
 * (apps/scan/test/fixtures/osv): images built from files with umoci (a Debian dpkg status, an
 * npm package-lock.json, a Python dist-info; an Alpine apk database) and pushed with skopeo
 * while quarantine is on. The report API names each finding, the SBOM and report referrers
 * are listed by the referrers API, a vulnerable image is blocked then failed by its scan (by
 * tag 404, by digest 403) until an AcrQuarantineWriter passes it through ACR's PATCH, a clean
 * image passes on its own, an AcrQuarantineReader pulls a blocked image all along, a corrupt
 * layer is an error of its image (which fails) rather than a crash, and a new advisory in the
 * database (reread every second here) re-matches a scanned image.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type OciLayoutImage,
  type RegistryClient,
  buildOciImage,
  expectEventually,
} from '@meridian/testing';
import { LoggedInRegistryClient } from './support/logged-in-registry-client';
import { ManagementApi } from './support/management-api';
import { repoRoot } from './support/registry-log';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

const advisoryFixtures = resolve(repoRoot, 'apps/scan/test/fixtures/osv');
const cycloneDx = 'application/vnd.cyclonedx+json';
const scanReportType = 'application/vnd.meridian.scan.report.v1+json';

const debianOsRelease =
  'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const dpkgStatus = [
  'Package: openssl',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 3.0.11-1~deb12u1',
  'Description: Secure Sockets Layer toolkit',
  '',
  'Package: libc6',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 2.36-9+deb12u3',
  'Description: GNU C Library',
  '',
].join('\n');
const packageLock = JSON.stringify({
  name: 'shop',
  version: '1.0.0',
  lockfileVersion: 3,
  packages: {
    '': { name: 'shop', version: '1.0.0', dependencies: { lodash: '^4.17.0' } },
    'node_modules/lodash': { version: '4.17.20', license: 'MIT' },
  },
});
const requestsMetadata =
  'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\nLicense: Apache 2.0\n';
const alpineOsRelease = 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n';
const apkInstalled = 'P:busybox\nV:1.36.1-r1\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n';

interface Report {
  quarantineState: string;
  quarantineDetails?: string;
  findings: Record<string, number>;
  images: {
    errors: string[];
    os?: string;
    packages: number;
    findings: {
      id: string;
      aliases: string[];
      severity: string;
      package: { name: string; version: string };
      fixedVersion?: string;
    }[];
  }[];
  sbomDigest?: string;
  reportDigest?: string;
}

describe('scanning and quarantine', () => {
  let registry: RegistryUnderTest;
  let api: ManagementApi;
  let skopeo: Skopeo;
  let work: string;
  let vulnerable: OciLayoutImage;
  let clean: OciLayoutImage;
  let advisoryDb: string;
  const envBefore = {
    MERIDIAN_ADVISORY_DB: process.env['MERIDIAN_ADVISORY_DB'],
    MERIDIAN_ADVISORY_DB_REFRESH_SECONDS: process.env['MERIDIAN_ADVISORY_DB_REFRESH_SECONDS'],
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-scan-'));
    // a copy the last test adds an advisory to; the service rereads it every second
    advisoryDb = join(work, 'osv');
    await cp(advisoryFixtures, advisoryDb, { recursive: true });
    process.env['MERIDIAN_ADVISORY_DB'] = advisoryDb;
    process.env['MERIDIAN_ADVISORY_DB_REFRESH_SECONDS'] = '1';
    [registry, vulnerable, clean] = await Promise.all([
      startRegistry('scan'),
      buildOciImage(join(work, 'vulnerable'), {
        tag: 'v1',
        layers: [
          { files: { 'etc/os-release': debianOsRelease, 'var/lib/dpkg/status': dpkgStatus } },
          { files: { 'srv/shop/package-lock.json': packageLock } },
          {
            files: {
              'usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA': requestsMetadata,
            },
          },
        ],
      }),
      buildOciImage(join(work, 'clean'), {
        tag: 'v1',
        layers: [
          { files: { 'etc/os-release': alpineOsRelease, 'lib/apk/db/installed': apkInstalled } },
        ],
      }),
    ]);
    api = new ManagementApi(registry);
    skopeo = new Skopeo(registry);
    await api.call('PUT', '/settings/quarantine', { enabled: true });
  }, 360_000);

  afterAll(async () => {
    for (const [key, value] of Object.entries(envBefore)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await registry?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function report(repository: string, digest: string): Promise<Report> {
    return api.call<Report>('GET', `/scans/${repository}/${digest}`);
  }

  async function eventuallyReport(repository: string, digest: string): Promise<Report> {
    let found: Report | undefined;
    await expectEventually(
      async () => {
        found = await report(repository, digest);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    return found!;
  }

  async function eventuallyQuarantine(
    repository: string,
    digest: string,
    state: string,
  ): Promise<Report> {
    let found: Report | undefined;
    await expectEventually(
      async () => {
        found = await report(repository, digest);
        expect(found.quarantineState).toBe(state);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    return found!;
  }

  async function manifestStatus(client: RegistryClient, repository: string, reference: string) {
    const response = await client.expect(
      'GET',
      `/v2/${repository}/manifests/${reference}`,
      [200, 403, 404],
      {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      },
    );
    return response.status;
  }

  async function principal(id: string, roles: string[]) {
    const { secret } = await api.call<{ secret: string }>('PUT', `/service-principals/${id}`, {
      roles,
    });
    return { username: id, password: secret };
  }

  it('reports every vulnerable package of a pushed image, with SBOM and report referrers', async () => {
    await skopeo.copy(vulnerable.reference, skopeo.docker('shop/api:v1'));

    const found = await eventuallyReport('shop/api', vulnerable.manifestDigest);

    expect(found.findings).toMatchObject({ CRITICAL: 1, HIGH: 1, MEDIUM: 1 });
    const findings = found.images[0]!.findings;
    expect(found.images[0]!.os).toContain('Debian');
    expect(
      findings.map((finding) => [
        finding.id,
        finding.package.name,
        finding.package.version,
        finding.fixedVersion,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['DSA-9001-1', 'openssl', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2'],
        ['GHSA-9999-lodash-test', 'lodash', '4.17.20', '4.17.21'],
        ['PYSEC-2026-9003', 'requests', '2.25.0', '2.31.0'],
      ]),
    );
    expect(findings.find((finding) => finding.id === 'DSA-9001-1')!.aliases).toContain(
      'CVE-2026-90001',
    );

    const referrers = (await (
      await registry.client.referrers('shop/api', vulnerable.manifestDigest)
    ).json()) as {
      manifests: { artifactType: string; digest: string }[];
    };
    expect(referrers.manifests.map((entry) => entry.artifactType).sort()).toEqual([
      cycloneDx,
      scanReportType,
    ]);
    const sbomManifest = (await (
      await registry.client.expect('GET', `/v2/shop/api/manifests/${found.sbomDigest}`, [200], {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: { digest: string }[]; subject: { digest: string } };
    expect(sbomManifest.subject.digest).toBe(vulnerable.manifestDigest);
    const sbom = (await (
      await registry.client.expect(
        'GET',
        `/v2/shop/api/blobs/${sbomManifest.layers[0]!.digest}`,
        [200],
      )
    ).json()) as {
      bomFormat: string;
      specVersion: string;
      components: { name: string; version: string }[];
    };
    expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5' });
    expect(sbom.components.map((component) => `${component.name}@${component.version}`)).toEqual(
      expect.arrayContaining([
        'openssl@3.0.11-1~deb12u1',
        'lodash@4.17.20',
        'requests@2.25.0',
        'libc6@2.36-9+deb12u3',
      ]),
    );
  });

  it('keeps a vulnerable image blocked after its scan, except to quarantine readers, until a quarantine writer passes it', async () => {
    const reader = new LoggedInRegistryClient(
      registry.url,
      await principal('inspector', ['AcrPull', 'AcrQuarantineReader']),
    );
    const writer = await principal('external-scanner', ['AcrQuarantineWriter']);
    const failed = await eventuallyQuarantine('shop/api', vulnerable.manifestDigest, 'failed');
    expect(failed.quarantineDetails).toContain('CVE-2026-90001');

    expect(await manifestStatus(registry.client, 'shop/api', 'v1')).toBe(404);
    expect(await manifestStatus(registry.client, 'shop/api', vulnerable.manifestDigest)).toBe(403);
    expect(await manifestStatus(reader, 'shop/api', 'v1')).toBe(200);

    const patch = (credentials: { username: string; password: string }) =>
      fetch(`${registry.url}/acr/v1/shop/api/_manifests/${vulnerable.manifestDigest}`, {
        method: 'PATCH',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          quarantineState: 'Passed',
          quarantineDetails: 'accepted by the security team',
        }),
      });
    expect((await patch(await principal('ci', ['AcrPush']))).status).toBe(403);
    expect((await patch(writer)).status).toBe(200);
    expect(await report('shop/api', vulnerable.manifestDigest)).toMatchObject({
      quarantineState: 'passed',
      quarantineDetails: 'accepted by the security team',
    });

    expect(await manifestStatus(registry.client, 'shop/api', 'v1')).toBe(200);
    await skopeo.copy(skopeo.docker('shop/api:v1'), `oci:${join(work, 'pulled')}:v1`);
  });

  it('lets an image with no finding at or above HIGH through once scanned', async () => {
    await skopeo.copy(clean.reference, skopeo.docker('shop/base:v1'));

    const found = await eventuallyReport('shop/base', clean.manifestDigest);

    expect(found.images[0]).toMatchObject({
      os: expect.stringContaining('Alpine'),
      packages: 1,
      findings: [],
    });
    const passed = await eventuallyQuarantine('shop/base', clean.manifestDigest, 'passed');
    expect(passed.quarantineDetails).toBe('no finding at or above HIGH');
    expect(await manifestStatus(registry.client, 'shop/base', 'v1')).toBe(200);
  });

  it('reports a layer that is not an archive as an error of the image, fails it, and scans on', async () => {
    const repository = 'shop/broken';
    const [config, good, broken] = [
      await registry.client.pushBlob(
        repository,
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [] },
        }),
        'application/vnd.oci.image.config.v1+json',
      ),
      await registry.client.pushBlob(
        repository,
        await readFile(join(clean.dir, 'blobs', 'sha256', clean.layerDigests[0]!.slice(7))),
        'application/vnd.oci.image.layer.v1.tar+gzip',
      ),
      // gzip magic, then garbage: a truncated, corrupt archive
      await registry.client.pushBlob(
        repository,
        Buffer.concat([
          Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
          Buffer.from('not a layer '.repeat(64)),
        ]),
        'application/vnd.oci.image.layer.v1.tar+gzip',
      ),
    ];
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [good, broken],
      }),
    );
    await registry.client.putManifest(
      repository,
      'v1',
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

    const found = await eventuallyQuarantine(repository, digest, 'failed');

    expect(found.images[0]!.errors.join('\n')).toContain(broken.digest);
    expect(found.quarantineDetails).toContain('could not be read');
    // what the readable layer holds is still inventoried
    expect(found.images[0]!.packages).toBe(1);
    expect(found.sbomDigest).toBeDefined();
  });

  it('re-matches scanned images when the advisory database changes, without pushing again', async () => {
    const before = await eventuallyReport('shop/base', clean.manifestDigest);
    expect(before.findings['HIGH']).toBe(0);

    await writeFile(
      join(advisoryDb, 'alpine', 'ALPINE-test-busybox-r2.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'ALPINE-CVE-2026-90005',
        modified: '2026-11-20T00:00:00Z',
        aliases: ['CVE-2026-90005'],
        affected: [
          {
            package: { ecosystem: 'Alpine:v3.19', name: 'busybox' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r2' }] }],
          },
        ],
        database_specific: { severity: 'HIGH' },
      }),
    );

    await expectEventually(
      async () => {
        const after = await report('shop/base', clean.manifestDigest);
        expect(after.findings['HIGH']).toBe(1);
        expect(after.images[0]!.findings.map((finding) => finding.id)).toEqual([
          'ALPINE-CVE-2026-90005',
        ]);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });
});
