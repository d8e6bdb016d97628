import { detectPackages, isPackageDatabasePath } from './detect-packages';

const files = (entries: Record<string, string>): Map<string, Buffer> =>
  new Map(Object.entries(entries).map(([path, text]) => [path, Buffer.from(text)]));

const debianOsRelease =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const alpineOsRelease = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';

const dpkgStatus = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1
Description: Secure Sockets Layer toolkit
 This package is part of the OpenSSL project.
 .
 More text.

Package: removed-thing
Status: deinstall ok config-files
Version: 1.0-1

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
`;

describe(detectPackages.name, () => {
  it('reads Debian packages with their source package, skipping removed ones', () => {
    const sut = detectPackages(
      files({ 'etc/os-release': debianOsRelease, 'var/lib/dpkg/status': dpkgStatus }),
    );
    expect(sut.os).toEqual({
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(sut.errors).toEqual([]);
    expect(sut.packages).toEqual([
      {
        type: 'deb',
        ecosystem: 'Debian:12',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2+b1',
        sourceName: 'openssl',
        sourceVersion: '3.0.11-1~deb12u2',
        arch: 'amd64',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2%2Bb1?arch=amd64&distro=debian-12',
        location: 'var/lib/dpkg/status',
      },
      expect.objectContaining({
        name: 'zlib1g',
        version: '1:1.2.13.dfsg-1',
        sourceName: 'zlib',
        sourceVersion: '1:1.2.13.dfsg-1',
      }),
    ]);
  });

  it('reads distroless status.d files, which carry no Status, and ignores their md5sums', () => {
    const sut = detectPackages(
      files({
        'etc/os-release': debianOsRelease,
        'var/lib/dpkg/status.d/base-files':
          'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n',
        'var/lib/dpkg/status.d/base-files.md5sums':
          'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n',
      }),
    );
    expect(sut.packages.map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version}`)).toEqual([
      'Debian:12 base-files 12.4+deb12u5',
    ]);
    expect(isPackageDatabasePath('var/lib/dpkg/status.d/base-files.md5sums')).toBe(false);
  });

  it('reads Alpine packages with their origin and the v-prefixed minor release', () => {
    const installed =
      'C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n';
    const sut = detectPackages(
      files({ 'etc/os-release': alpineOsRelease, 'lib/apk/db/installed': installed }),
    );
    expect(sut.packages).toEqual([
      expect.objectContaining({
        ecosystem: 'Alpine:v3.19',
        name: 'libcrypto3',
        version: '3.1.4-r5',
        sourceName: 'openssl',
        licenses: ['Apache-2.0'],
        purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=3.19.1',
      }),
      expect.objectContaining({ name: 'musl', version: '1.2.4_git20230717-r4' }),
    ]);
    expect(sut.packages[1]!.sourceName).toBeUndefined();
  });

  it('reads npm lockfiles v1 and v3 and node_modules manifests, one component per name and version', () => {
    const v3 = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/lodash': { version: '4.17.20' },
        'node_modules/a/node_modules/@scope/b': { version: '2.0.0' },
        'packages/local': { version: '0.0.1' },
        'node_modules/local': { link: true, resolved: 'packages/local' },
      },
    });
    const v1 = JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        minimist: { version: '0.0.8', dependencies: { nested: { version: '1.2.3' } } },
        mine: { version: 'file:../mine' },
      },
    });
    const sut = detectPackages(
      files({
        'app/package-lock.json': v3,
        'app/node_modules/lodash/package.json':
          '{"name":"lodash","version":"4.17.20","license":"MIT"}',
        'old/package-lock.json': v1,
      }),
    );
    expect(sut.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.purl}`)).toEqual([
      'lodash@4.17.20 pkg:npm/lodash@4.17.20',
      '@scope/b@2.0.0 pkg:npm/%40scope/b@2.0.0',
      'minimist@0.0.8 pkg:npm/minimist@0.0.8',
      'nested@1.2.3 pkg:npm/nested@1.2.3',
    ]);
  });

  it('reads Python dist-info METADATA and egg-info, and names them by normalised purl', () => {
    const metadata =
      'Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\nLicense: MIT\n\nVersion: not-this\n';
    const sut = detectPackages(
      files({
        'usr/lib/python3/dist-packages/PyYAML-5.3.1.dist-info/METADATA': metadata,
        'usr/lib/python3/dist-packages/six-1.16.0.egg-info':
          'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n',
      }),
    );
    expect(sut.packages).toEqual([
      expect.objectContaining({
        ecosystem: 'PyPI',
        name: 'PyYAML',
        version: '5.3.1',
        licenses: ['MIT'],
        purl: 'pkg:pypi/pyyaml@5.3.1',
      }),
      expect.objectContaining({ ecosystem: 'PyPI', name: 'six', version: '1.16.0' }),
    ]);
  });

  it('reports malformed databases as errors of their files and keeps the good entries', () => {
    const sut = detectPackages(
      files({
        'var/lib/dpkg/status':
          'Package: good\nVersion: 1.0\n\nthis line is garbage\nPackage: no-version\n\n\u0000\u0001binary',
        'lib/apk/db/installed': 'P:nameonly\n',
        'app/package-lock.json': '{"lockfileVersion": 2, "packages": ',
        'app/node_modules/x/package.json': '[]',
        'site-packages/x-1.dist-info/METADATA': 'Summary: nothing\n',
      }),
    );
    expect(sut.packages.map((pkg) => pkg.name)).toEqual(['good']);
    expect(sut.errors.map((error) => [error.scope, error.subject])).toEqual([
      ['package-database', 'app/node_modules/x/package.json'],
      ['package-database', 'app/package-lock.json'],
      ['package-database', 'lib/apk/db/installed'],
      ['package-database', 'site-packages/x-1.dist-info/METADATA'],
      ['package-database', 'var/lib/dpkg/status'],
      ['package-database', 'var/lib/dpkg/status'],
    ]);
  });

  it('wants exactly the files it reads', () => {
    const wanted = [
      'etc/os-release',
      'usr/lib/os-release',
      'var/lib/dpkg/status',
      'lib/apk/db/installed',
      'srv/package-lock.json',
      'srv/node_modules/.package-lock.json',
      'srv/node_modules/@nestjs/core/package.json',
      'srv/node_modules/a/node_modules/b/package.json',
      'usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA',
      'usr/lib/python3/dist-packages/six-1.16.0.egg-info',
      'usr/lib/python3/dist-packages/chardet-5.1.0.egg-info/PKG-INFO',
    ];
    const unwanted = [
      'srv/package.json',
      'srv/node_modules/a/lib/package.json',
      'var/lib/dpkg/status-old',
      'etc/passwd',
    ];
    expect(wanted.filter((path) => !isPackageDatabasePath(path))).toEqual([]);
    expect(unwanted.filter(isPackageDatabasePath)).toEqual([]);
  });
});
