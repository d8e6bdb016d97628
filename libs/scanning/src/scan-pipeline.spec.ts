/**
 * The library end to end, as apps/scan strings it together: layers built from package
 * databases (one of them whited out by a later layer), read, inventoried, described as an
 * SBOM, and matched against a small OSV database written for the test.
 */
import { advisoryDatabase, buildOsvRecord } from '../test/build-advisory';
import { gzipLayer, layerSource } from '../test/build-layer';
import { readImageFilesystem } from './filesystem/read-image-filesystem';
import { countBySeverity, matchPackages } from './matching/match-packages';
import { detectPackages, isPackageDatabasePath } from './packages/detect-packages';
import { buildCycloneDxSbom } from './sbom/build-cyclonedx-sbom';

const base = gzipLayer([
  { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { name: 'etc/os-release', type: 'symlink', linkName: '../usr/lib/os-release' },
  {
    name: 'var/lib/dpkg/status',
    content:
      'Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\n' +
      'Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\n',
  },
  {
    name: 'usr/lib/python3/dist-packages/PyYAML-5.3.1.dist-info/METADATA',
    content: 'Name: PyYAML\nVersion: 5.3.1\n',
  },
]);
const app = gzipLayer([
  { name: 'usr/lib/python3/dist-packages/.wh.PyYAML-5.3.1.dist-info', content: '' },
  {
    name: 'srv/app/package-lock.json',
    content: JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/lodash': { version: '4.17.20' } },
    }),
  },
]);

const db = advisoryDatabase([
  buildOsvRecord({
    id: 'DSA-5532-1',
    aliases: ['CVE-2023-5363'],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
    affected: [
      {
        ecosystem: 'Debian:12',
        name: 'openssl',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] },
        ],
      },
    ],
  }),
  buildOsvRecord({
    id: 'GHSA-35jh-r3h4-6jhm',
    aliases: ['CVE-2021-23337'],
    database_specific: { severity: 'HIGH' },
    affected: [
      {
        ecosystem: 'npm',
        name: 'lodash',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      },
    ],
  }),
  buildOsvRecord({
    id: 'PYSEC-2021-142',
    affected: [{ ecosystem: 'PyPI', name: 'pyyaml', versions: ['5.3.1'] }],
  }),
]);

describe('scanning an image', () => {
  it('finds what the merged layers hold and the advisories that affect it', async () => {
    const filesystem = await readImageFilesystem(
      [layerSource(base), layerSource(app)],
      isPackageDatabasePath,
    );
    const inventory = detectPackages(filesystem.files);
    const { findings, errors } = matchPackages(inventory.packages, db);
    const sbom = buildCycloneDxSbom(
      { repository: 'team/app', digest: `sha256:${'a'.repeat(64)}` },
      inventory,
    );

    expect([...filesystem.errors, ...inventory.errors, ...errors]).toEqual([]);
    expect(inventory.os).toEqual({ id: 'debian', versionId: '12' });
    expect(inventory.packages.map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version}`)).toEqual([
      'npm lodash 4.17.20',
      'Debian:12 libssl3 3.0.11-1~deb12u1',
      'Debian:12 tzdata 2024a-0+deb12u1',
    ]);
    expect(
      findings.map((finding) => [
        finding.id,
        finding.severity,
        finding.package.name,
        finding.installed,
        finding.fixed,
      ]),
    ).toEqual([
      ['DSA-5532-1', 'HIGH', 'libssl3', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2'],
      ['GHSA-35jh-r3h4-6jhm', 'HIGH', 'lodash', '4.17.20', '4.17.21'],
    ]);
    expect(countBySeverity(findings)).toEqual({
      CRITICAL: 0,
      HIGH: 2,
      MEDIUM: 0,
      LOW: 0,
      UNKNOWN: 0,
    });
    expect((sbom.components as { purl?: string }[]).map((component) => component.purl)).toEqual([
      undefined,
      'pkg:npm/lodash@4.17.20',
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12',
      'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?distro=debian-12',
    ]);
  });
});
