import { compiledEntries, serviceEntriesIn, sourceEntries } from './service-entries';

describe(serviceEntriesIn.name, () => {
  it('runs a service from its sources through @swc-node/register, in the repository', () => {
    const sut = sourceEntries('/srv/meridian');
    expect(sut.cwd).toBe('/srv/meridian');
    expect(sut.args('gateway')).toEqual(['-r', '@swc-node/register', 'apps/gateway/src/main.ts']);
  });

  it('runs a compiled service from dist/, in the repository', () => {
    const sut = compiledEntries('/srv/meridian/dist', '/srv/meridian');
    expect(sut.cwd).toBe('/srv/meridian');
    expect(sut.args('scan')).toEqual(['dist/apps/scan/src/main.js']);
  });

  it('starts the services from their sources while the launcher runs from its own', () => {
    expect(serviceEntriesIn('/srv/meridian').args('blob')).toEqual(
      sourceEntries('/srv/meridian').args('blob'),
    );
  });
});
