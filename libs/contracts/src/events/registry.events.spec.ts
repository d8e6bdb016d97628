import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventNameOfSubject, eventSubject } from '../subjects';
import { authEvents } from './auth.events';
import { manifestPushed, registryEvents } from './registry.events';
import { replicationEvents } from './replication.events';
import { scanEvents } from './scan.events';

const allEvents = [...registryEvents, ...replicationEvents, ...authEvents, ...scanEvents];

const fixturesDir = join(__dirname, '__fixtures__');
const fixtures = readdirSync(fixturesDir).filter((file) => file.endsWith('.json'));
const load = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(fixturesDir, file), 'utf8'));
/** `manifest.pushed.v1.referrer.json` is a fixture of `manifest.pushed.v1` */
const eventNameOf = (file: string) => /^([a-z-]+\.[a-z-]+\.v\d+)/.exec(file)![1]!;

describe('events', () => {
  it('has a fixture for every event', () => {
    const covered = new Set(fixtures.map(eventNameOf));
    expect(allEvents.map((def) => def.name).filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(fixtures)('%s parses against its schema', (file) => {
    const def = allEvents.find((candidate) => candidate.name === eventNameOf(file));
    expect(def).toBeDefined();
    expect(() => def!.schema.parse(load(file))).not.toThrow();
  });

  it('builds subjects with the region and finds the event name back', () => {
    expect(manifestPushed.subject('eu-west')).toBe('meridian.eu-west.evt.manifest.pushed.v1');
    expect(eventNameOfSubject(eventSubject('us-east', 'tag.deleted.v1'))).toBe('tag.deleted.v1');
  });

  it('takes a sha512 digest as it takes a sha256 one', () => {
    const digest = `sha512:${'a'.repeat(128)}`;
    expect(manifestPushed.schema.parse({ ...load('manifest.pushed.v1.json'), digest }).digest).toBe(
      digest,
    );
  });

  it.each([
    ['a repository name with uppercase', { repository: 'Team/App' }],
    ['a digest of an unsupported algorithm', { digest: `sha384:${'a'.repeat(96)}` }],
    ['a sha512 digest of the wrong length', { digest: `sha512:${'a'.repeat(64)}` }],
    ['a clock reading that is not one', { hlc: '12:00' }],
    ['a missing event id', { eventId: undefined }],
  ])('refuses %s', (_what, change) => {
    expect(() =>
      manifestPushed.schema.parse({ ...load('manifest.pushed.v1.json'), ...change }),
    ).toThrow();
  });
});
