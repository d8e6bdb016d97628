import { compareApkVersions } from './apk-version';
import { compareDpkgVersions } from './dpkg-version';
import { InvalidVersionError } from './invalid-version-error';
import { comparePep440 } from './pep440-version';
import { compareSemver } from './semver-version';
import { type CompareVersions, versionOrderFor } from './version-order';

/** Asserts that `ascending` is strictly increasing under `compare`, pair by pair and reversed. */
function expectAscending(compare: CompareVersions, ascending: string[]): void {
  for (let i = 0; i + 1 < ascending.length; i++) {
    const [lower, higher] = [ascending[i]!, ascending[i + 1]!];
    expect([lower, Math.sign(compare(lower, higher)), higher]).toEqual([lower, -1, higher]);
    expect([higher, Math.sign(compare(higher, lower)), lower]).toEqual([higher, 1, lower]);
  }
}

describe(compareDpkgVersions.name, () => {
  it('sorts ~ before everything, even the end of the string', () => {
    expectAscending(compareDpkgVersions, [
      '1.0~~',
      '1.0~~a',
      '1.0~',
      '1.0~rc1',
      '1.0',
      '1.0a',
      '1.0+b1',
      '1.0.1',
    ]);
  });

  it('puts the epoch first, then upstream, then revision', () => {
    expectAscending(compareDpkgVersions, [
      '9.9-9',
      '1:0.1-1',
      '1:1.2.13.dfsg-1',
      '1:1.2.13.dfsg-1+b1',
      '2:0',
    ]);
    expectAscending(compareDpkgVersions, [
      '3.0.11-1~deb12u1',
      '3.0.11-1~deb12u2',
      '3.0.11-1',
      '3.0.11-1+deb12u1',
    ]);
  });

  it('compares digit runs as numbers and letters before other characters', () => {
    expectAscending(compareDpkgVersions, ['1.2', '1.9', '1.10', '1.010a', '1.10+']);
    expectAscending(compareDpkgVersions, ['2.36-9', '2.36-9+deb12u3', '2.36-10']);
  });

  it('treats a missing epoch as 0 and a missing revision as empty, equal to leading zeros', () => {
    expect(compareDpkgVersions('0:1.0', '1.0')).toBe(0);
    expect(compareDpkgVersions('1.0-0', '1.0')).toBe(0);
    expect(compareDpkgVersions('1.001', '1.1')).toBe(0);
  });

  it('refuses what is not a Debian version', () => {
    expect(() => compareDpkgVersions('a:1.0', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareDpkgVersions('1.0 beta', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareDpkgVersions('', '1.0')).toThrow(InvalidVersionError);
  });
});

describe(compareApkVersions.name, () => {
  it('orders pre-release suffixes before the release and post-release ones after', () => {
    expectAscending(compareApkVersions, [
      '1.2_alpha',
      '1.2_alpha2',
      '1.2_beta',
      '1.2_pre1',
      '1.2_rc1',
      '1.2_rc2',
      '1.2',
      '1.2-r1',
      '1.2_cvs',
      '1.2_git20230717',
      '1.2_p1',
      '1.2a',
      '1.2.1',
    ]);
  });

  it('compares revisions numerically and letter suffixes by letter', () => {
    expectAscending(compareApkVersions, [
      '3.1.4-r2',
      '3.1.4-r5',
      '3.1.4-r10',
      '3.1.4a-r0',
      '3.1.4b',
      '3.1.5',
    ]);
    expectAscending(compareApkVersions, [
      '1.2.4_git20230717-r3',
      '1.2.4_git20230717-r4',
      '1.2.4_git20240101',
    ]);
  });

  it('reads a later number with a leading zero as a decimal fraction; -r0 is still a revision', () => {
    expectAscending(compareApkVersions, ['1.01', '1.1', '1.2']);
    expectAscending(compareApkVersions, ['1.2', '1.2-r0']); // apk-tools: a revision beats the end
  });

  it('refuses what is not an Alpine version', () => {
    expect(() => compareApkVersions('1.2_bogus1', '1.2')).toThrow(InvalidVersionError);
    expect(() => compareApkVersions('1.2-beta', '1.2')).toThrow(InvalidVersionError);
  });
});

describe(compareSemver.name, () => {
  it('puts a pre-release below its release, numeric identifiers below alphanumeric', () => {
    expectAscending(compareSemver, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
      '10.0.0',
    ]);
  });

  it('ignores build metadata and accepts a leading v', () => {
    expect(compareSemver('1.0.0+build.5', '1.0.0')).toBe(0);
    expect(compareSemver('v4.17.21', '4.17.21')).toBe(0);
  });

  it('refuses what is not a semantic version', () => {
    expect(() => compareSemver('1.0', '1.0.0')).toThrow(InvalidVersionError);
    expect(() => compareSemver('01.0.0', '1.0.0')).toThrow(InvalidVersionError);
  });
});

describe(comparePep440.name, () => {
  it('orders dev, pre, release, post and local as PEP 440 says', () => {
    expectAscending(comparePep440, [
      '1.0.dev0',
      '1.0.dev1',
      '1.0a1.dev1',
      '1.0a1',
      '1.0b2.post3',
      '1.0rc1',
      '1.0',
      '1.0+abc',
      '1.0+5',
      '1.0.post1.dev1',
      '1.0.post1',
      '1.1.dev1',
      '1.1',
    ]);
  });

  it('reads epochs and normalises spellings', () => {
    expectAscending(comparePep440, ['2024.1', '1!0.1']);
    expect(comparePep440('1.0alpha1', '1.0a1')).toBe(0);
    expect(comparePep440('1.0-1', '1.0.post1')).toBe(0);
    expect(comparePep440('1.0c1', '1.0rc1')).toBe(0);
    expect(comparePep440('1.0.0', '1')).toBe(0);
    expect(comparePep440('V1.0-DEV', '1.0.dev0')).toBe(0);
  });

  it('refuses what is not a PEP 440 version', () => {
    expect(() => comparePep440('1.0-foo', '1.0')).toThrow(InvalidVersionError);
  });
});

describe(versionOrderFor.name, () => {
  it('names the order of each ecosystem Meridian matches', () => {
    expect(versionOrderFor('Debian:12')).toBe(compareDpkgVersions);
    expect(versionOrderFor('Ubuntu:22.04')).toBe(compareDpkgVersions);
    expect(versionOrderFor('Alpine:v3.19')).toBe(compareApkVersions);
    expect(versionOrderFor('npm')).toBe(compareSemver);
    expect(versionOrderFor('PyPI')).toBe(comparePep440);
    expect(versionOrderFor('crates.io')).toBeUndefined();
  });
});
