/**
 * Scanning and quarantine across two regions (the embedded default, us-east and eu-west):
 * quarantine turned on in us-east is on in eu-west too; an image pushed to us-east is
 * scanned there only; in eu-west its failed decision holds too (blocked by tag and by
 * digest), and eu-west's report API serves its report from the replicated report referrer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { repoRoot } from './support/registry-log';

const debianOsRelease = 'ID=debian\nVERSION_ID="12"\n';
const dpkgStatus =
  'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u1\n\n';

interface Report {
  quarantineState: string;
  findings: Record<string, number>;
}

describe('scanning and quarantine across regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let image: OciLayoutImage;
  const advisoryDbBefore = process.env['MERIDIAN_ADVISORY_DB'];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-geo-scan-'));
    process.env['MERIDIAN_ADVISORY_DB'] = resolve(repoRoot, 'apps/scan/test/fixtures/osv');
    [meridian, image] = await Promise.all([
      startGeoMeridian('geo-scan'),
      buildOciImage(join(work, 'image'), {
        tag: 'v1',
        layers: [
          { files: { 'etc/os-release': debianOsRelease, 'var/lib/dpkg/status': dpkgStatus } },
        ],
      }),
    ]);
  }, 360_000);

  afterAll(async () => {
    if (advisoryDbBefore === undefined) delete process.env['MERIDIAN_ADVISORY_DB'];
    else process.env['MERIDIAN_ADVISORY_DB'] = advisoryDbBefore;
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const manifestStatus = async (region: GeoRegionId, reference: string) =>
    (
      await meridian.regions[region].client.expect(
        'GET',
        `/v2/geo/scanned/manifests/${reference}`,
        [200, 403, 404],
        { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } },
      )
    ).status;

  it('replicates the setting, the quarantine and the report of an image scanned in us-east', async () => {
    const usEast = meridian.regions['us-east'].client;
    const setting = await fetch(usEast.url('/api/v1/settings/quarantine'), {
      method: 'PUT',
      headers: { authorization: usEast.basicAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(setting.status).toBe(200);
    await expectEventually(
      async () =>
        expect((await meridian.api('eu-west', '/api/v1/settings/quarantine')).body).toEqual({
          enabled: true,
        }),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/geo/scanned:v1`,
    ]);

    await expectEventually(
      async () => {
        const { status, body } = await meridian.api<Report>(
          'eu-west',
          `/api/v1/scans/geo/scanned/${image.manifestDigest}`,
        );
        expect(status).toBe(200);
        expect(body.findings['CRITICAL']).toBe(1);
        expect(body.quarantineState).toBe('failed');
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(await manifestStatus('eu-west', 'v1')).toBe(404);
    expect(await manifestStatus('eu-west', image.manifestDigest)).toBe(403);
    expect(await manifestStatus('us-east', image.manifestDigest)).toBe(403);
  });
});
