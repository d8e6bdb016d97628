import { advisoryDatabase, buildOsvRecord } from '../../test/build-advisory';
import { type DetectedPackage } from '../packages/package';
import { countBySeverity, isAtLeast, matchPackages } from './match-packages';

function buildPackage(
  overrides: Partial<DetectedPackage> & Pick<DetectedPackage, 'ecosystem' | 'name' | 'version'>,
): DetectedPackage {
  return {
    type: 'npm',
    purl: `pkg:x/${overrides.name}@${overrides.version}`,
    location: 'somewhere',
    ...overrides,
  };
}

const critical = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

describe(matchPackages.name, () => {
  it('matches a Debian binary package by its source package and source version', () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'DSA-5532-1',
        aliases: ['DLA-1', 'CVE-2023-5363'],
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
    ]);
    const libssl = buildPackage({
      type: 'deb',
      ecosystem: 'Debian:12',
      name: 'libssl3',
      version: '3.0.11-1~deb12u1+b1',
      sourceName: 'openssl',
      sourceVersion: '3.0.11-1~deb12u1',
    });
    const patched = { ...libssl, version: '3.0.11-1~deb12u2', sourceVersion: '3.0.11-1~deb12u2' };
    const sut = matchPackages([libssl, patched, { ...libssl, ecosystem: 'Debian:11' }], db);
    expect(sut.findings).toEqual([
      {
        id: 'DSA-5532-1',
        aliases: ['CVE-2023-5363', 'DLA-1'],
        severity: 'UNKNOWN',
        package: {
          name: 'libssl3',
          ecosystem: 'Debian:12',
          purl: libssl.purl,
          location: 'somewhere',
        },
        installed: '3.0.11-1~deb12u1+b1',
        fixed: '3.0.11-1~deb12u2',
      },
    ]);
  });

  it('uses the ecosystem order: apk revisions, dpkg epochs and tildes', () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'ALPINE-1',
        affected: [
          {
            ecosystem: 'Alpine:v3.19',
            name: 'openssl',
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r10' }] }],
          },
        ],
      }),
      buildOsvRecord({
        id: 'DEBIAN-1',
        affected: [
          {
            ecosystem: 'Debian:12',
            name: 'zlib',
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-1' }] },
            ],
          },
        ],
      }),
    ]);
    const found = (pkg: DetectedPackage): string[] =>
      matchPackages([pkg], db).findings.map((finding) => finding.id);
    expect(
      found(
        buildPackage({
          ecosystem: 'Alpine:v3.19',
          name: 'libcrypto3',
          sourceName: 'openssl',
          version: '3.1.4-r9',
        }),
      ),
    ).toEqual(['ALPINE-1']);
    expect(
      found(buildPackage({ ecosystem: 'Alpine:v3.19', name: 'openssl', version: '3.1.4-r10' })),
    ).toEqual([]);
    expect(
      found(buildPackage({ ecosystem: 'Debian:12', name: 'zlib', version: '1.2.99-9' })),
    ).toEqual(['DEBIAN-1']);
    expect(
      found(
        buildPackage({ ecosystem: 'Debian:12', name: 'zlib', version: '1:1.2.13.dfsg-1~bpo1' }),
      ),
    ).toEqual(['DEBIAN-1']);
    expect(
      found(buildPackage({ ecosystem: 'Debian:12', name: 'zlib', version: '1:1.2.13.dfsg-1' })),
    ).toEqual([]);
  });

  it('honours last_affected, reintroduction, versions lists and reports the nearest fix', () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'GHSA-multi',
        affected: [
          {
            ecosystem: 'npm',
            name: 'lib',
            ranges: [
              {
                type: 'SEMVER',
                events: [
                  { introduced: '0' },
                  { fixed: '1.2.0' },
                  { introduced: '2.0.0' },
                  { fixed: '2.0.5' },
                  { introduced: '3.0.0-rc.1' },
                  { last_affected: '3.1.0' },
                ],
              },
            ],
            versions: ['1.5.0'],
          },
        ],
      }),
    ]);
    const check = (version: string) =>
      matchPackages([buildPackage({ ecosystem: 'npm', name: 'lib', version })], db).findings.map(
        (finding) => finding.fixed ?? 'none',
      );
    expect(check('1.1.9')).toEqual(['1.2.0']);
    expect(check('1.2.0')).toEqual([]);
    expect(check('1.5.0')).toEqual(['none']);
    expect(check('2.0.4')).toEqual(['2.0.5']);
    expect(check('2.0.5')).toEqual([]);
    expect(check('3.0.0-beta')).toEqual([]);
    expect(check('3.1.0')).toEqual(['none']);
    expect(check('3.1.1')).toEqual([]);
  });

  it('matches PyPI names in normal form and rates severity from the CVSS vector first, then the database word', () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'PYSEC-1',
        aliases: ['CVE-2020-14343'],
        severity: [{ type: 'CVSS_V3', score: critical }],
        database_specific: { severity: 'LOW' },
        affected: [
          {
            ecosystem: 'PyPI',
            name: 'PyYAML',
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.4' }] }],
          },
        ],
      }),
      buildOsvRecord({
        id: 'GHSA-moderate',
        database_specific: { severity: 'MODERATE' },
        affected: [{ ecosystem: 'PyPI', name: 'ruamel-yaml', versions: ['0.17.0'] }],
      }),
    ]);
    const sut = matchPackages(
      [
        buildPackage({ type: 'pypi', ecosystem: 'PyPI', name: 'pyyaml', version: '5.3.1' }),
        buildPackage({ type: 'pypi', ecosystem: 'PyPI', name: 'ruamel.yaml', version: '0.17.0' }),
      ],
      db,
    );
    expect(
      sut.findings.map((finding) => [
        finding.id,
        finding.severity,
        finding.cvssScore,
        finding.fixed,
      ]),
    ).toEqual([
      ['PYSEC-1', 'CRITICAL', 9.8, '5.4'],
      ['GHSA-moderate', 'MEDIUM', undefined, undefined],
    ]);
    expect(countBySeverity(sut.findings)).toEqual({
      CRITICAL: 1,
      HIGH: 0,
      MEDIUM: 1,
      LOW: 0,
      UNKNOWN: 0,
    });
  });

  it("matches Ubuntu packages against advisories of the release's LTS ecosystem", () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'USN-6000-1',
        affected: [
          {
            ecosystem: 'Ubuntu:22.04:LTS',
            name: 'openssl',
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.2-0ubuntu1.9' }] },
            ],
          },
        ],
      }),
    ]);
    const libssl = buildPackage({
      type: 'deb',
      ecosystem: 'Ubuntu:22.04',
      name: 'libssl3',
      version: '3.0.2-0ubuntu1.8',
      sourceName: 'openssl',
    });
    expect(matchPackages([libssl], db).findings.map((finding) => finding.fixed)).toEqual([
      '3.0.2-0ubuntu1.9',
    ]);
  });

  it('reports a version the order cannot read as an error and skips that advisory', () => {
    const db = advisoryDatabase([
      buildOsvRecord({
        id: 'GHSA-bad',
        affected: [
          {
            ecosystem: 'npm',
            name: 'lib',
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not-a-version' }] }],
          },
        ],
      }),
    ]);
    const sut = matchPackages(
      [buildPackage({ ecosystem: 'npm', name: 'lib', version: '1.0.0' })],
      db,
    );
    expect(sut.findings).toEqual([]);
    expect(sut.errors).toEqual([
      expect.objectContaining({
        scope: 'advisory',
        subject: 'GHSA-bad.json',
        message: expect.stringMatching(/GHSA-bad for lib/),
      }),
    ]);
  });
});

describe(isAtLeast.name, () => {
  it('ranks UNKNOWN below LOW and CRITICAL on top', () => {
    expect(isAtLeast('HIGH', 'HIGH')).toBe(true);
    expect(isAtLeast('CRITICAL', 'HIGH')).toBe(true);
    expect(isAtLeast('MEDIUM', 'HIGH')).toBe(false);
    expect(isAtLeast('UNKNOWN', 'LOW')).toBe(false);
  });
});
