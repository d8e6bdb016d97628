import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOsvRecord } from '../../test/build-advisory';
import { advisoryKey } from './advisory-key';
import { loadAdvisoryDatabase } from './load-advisory-database';

const lodash = buildOsvRecord({
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
});
const openssl = buildOsvRecord({
  id: 'DSA-5532-1',
  affected: [
    {
      ecosystem: 'Debian:12',
      name: 'openssl',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
    },
  ],
});
const pyyaml = buildOsvRecord({
  id: 'PYSEC-2021-142',
  affected: [{ ecosystem: 'PyPI', name: 'PyYAML', versions: ['5.3.1'] }],
});

describe(loadAdvisoryDatabase.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'meridian-osv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(path: string, content: unknown): void {
    mkdirSync(join(dir, 'db', path, '..'), { recursive: true });
    writeFileSync(
      join(dir, 'db', path),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
  }

  it('loads a directory tree of OSV files, indexed by ecosystem and normalised name', async () => {
    write('npm/GHSA-35jh-r3h4-6jhm.json', lodash);
    write('debian/DSA-5532-1.json', openssl);
    write('pypi/PYSEC-2021-142.json', [pyyaml]);
    write('README.md', 'not an advisory');
    const sut = await loadAdvisoryDatabase(join(dir, 'db'));
    expect(sut.errors).toEqual([]);
    expect(sut.advisories.map((advisory) => advisory.id).sort()).toEqual([
      'DSA-5532-1',
      'GHSA-35jh-r3h4-6jhm',
      'PYSEC-2021-142',
    ]);
    expect(
      sut.byPackage.get(advisoryKey('PyPI', 'pyyaml'))?.map((advisory) => advisory.id),
    ).toEqual(['PYSEC-2021-142']);
    expect(sut.byPackage.get(advisoryKey('Debian:12', 'openssl'))?.[0]?.source).toBe(
      'debian/DSA-5532-1.json',
    );
    expect(sut.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports each invalid file and keeps the valid ones', async () => {
    write('good.json', lodash);
    write('broken.json', '{"id": "X-1",');
    write('no-modified.json', { id: 'X-2', affected: [] });
    write(
      'bad-event.json',
      buildOsvRecord({
        id: 'X-3',
        affected: [
          {
            ecosystem: 'npm',
            name: 'a',
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }],
          },
        ],
      }),
    );
    write(
      'withdrawn.json',
      buildOsvRecord({ id: 'X-4', withdrawn: '2026-01-01T00:00:00Z', affected: [] }),
    );
    const sut = await loadAdvisoryDatabase(join(dir, 'db'));
    expect(sut.advisories.map((advisory) => advisory.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(
      sut.errors.map((error) => [error.scope, error.subject, error.message.split(':')[0]]),
    ).toEqual([
      ['advisory', 'bad-event.json', 'not an OSV record'],
      ['advisory', 'broken.json', 'not JSON'],
      ['advisory', 'no-modified.json', 'not an OSV record'],
    ]);
  });

  it('loads the same records from a zip, as osv.dev ships them, with the same fingerprint', async () => {
    write('GHSA-35jh-r3h4-6jhm.json', lodash);
    write('DSA-5532-1.json', openssl);
    execFileSync('zip', [
      '-q',
      '-j',
      join(dir, 'all.zip'),
      join(dir, 'db', 'GHSA-35jh-r3h4-6jhm.json'),
      join(dir, 'db', 'DSA-5532-1.json'),
    ]);
    const fromZip = await loadAdvisoryDatabase(join(dir, 'all.zip'));
    const fromDirectory = await loadAdvisoryDatabase(join(dir, 'db'));
    expect(fromZip.errors).toEqual([]);
    expect(fromZip.advisories.map((advisory) => advisory.id)).toEqual([
      'DSA-5532-1',
      'GHSA-35jh-r3h4-6jhm',
    ]);
    expect(fromZip.fingerprint).toBe(fromDirectory.fingerprint);
  });

  it('changes the fingerprint when any file changes', async () => {
    write('a.json', lodash);
    const before = await loadAdvisoryDatabase(join(dir, 'db'));
    write('a.json', { ...lodash, modified: '2026-11-02T00:00:00Z' });
    const after = await loadAdvisoryDatabase(join(dir, 'db'));
    expect(after.fingerprint).not.toBe(before.fingerprint);
  });

  it('answers a missing path or a file that is not a zip with one error and no advisories', async () => {
    write('not-a-zip.zip', 'plain text');
    for (const path of [join(dir, 'missing'), join(dir, 'db', 'not-a-zip.zip')]) {
      const sut = await loadAdvisoryDatabase(path);
      expect(sut.advisories).toEqual([]);
      expect(sut.errors).toEqual([expect.objectContaining({ scope: 'advisory', subject: path })]);
    }
  });
});
