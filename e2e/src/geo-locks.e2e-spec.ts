/**
 * Locks and repository deletes across regions, on the embedded default (us-east and eu-west),
 * with skopeo and ACR's `/acr/v1` API, one Meridian for the whole file:
 * - a tag locked in eu-west holds in us-east: skopeo's push there is refused with an error
 *   naming the lock, and the tag keeps its digest in both regions; unlocked in us-east, the
 *   push goes through and replicates;
 * - a lock set in eu-west racing a push of the same tag in us-east (Azure/acr#592) ends, in
 *   both regions, with the lock in force, one digest, and every later push refused;
 * - a repository deleted in eu-west is gone from both regions, by tag and by digest, from
 *   `/v2/_catalog` and `/acr/v1/_catalog`, at once in eu-west even while us-east still has
 *   it (the peer fallback serves none of it); a push of the name after the delete survives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';

interface ChangeableAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

interface AcrTag {
  tag: { name: string; digest: string; changeableAttributes: ChangeableAttributes };
}

interface OciErrors {
  errors: { code: string; message: string }[];
}

const replicationTimeoutMs = 90_000;
const raceRounds = 3;

describe('locks and repository deletes between two regions', () => {
  let meridian: GeoMeridian;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-locks-'));
    meridian = await startGeoMeridian('geo-locks');
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let built = 0;
  /** A one-layer image whose content no other image of this file shares. */
  function buildImage(name: string): Promise<OciLayoutImage> {
    built += 1;
    return buildOciImage(join(work, `${name}-${built}`), {
      tag: 'latest',
      layers: [{ files: { 'data/file': `${name} ${built}\n`.repeat(256) } }],
    });
  }

  function client(region: GeoRegionId) {
    return meridian.regions[region].client;
  }

  async function push(image: OciLayoutImage, region: GeoRegionId, reference: string) {
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions[region].host}/${reference}`,
    ]);
  }

  /** skopeo's inspection of a reference that must not be there: its error. */
  async function failedInspect(region: GeoRegionId, reference: string): Promise<string> {
    const error = await runCommand('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      meridian.creds,
      '--raw',
      `docker://${meridian.regions[region].host}/${reference}`,
    ]).then(
      () => undefined,
      (failure: Error) => failure,
    );
    if (error === undefined) throw new Error(`${reference} is still served in ${region}`);
    return error.message;
  }

  /** skopeo's push, refused: its error (skopeo's stderr) for the test to read. */
  async function refusedPush(image: OciLayoutImage, region: GeoRegionId, reference: string) {
    const error = await push(image, region, reference).then(
      () => undefined,
      (failure: Error) => failure,
    );
    if (error === undefined) throw new Error(`the push of ${reference} to ${region} went through`);
    return error.message;
  }

  /** ACR's PATCH of a tag's changeable attributes, as the admin. */
  async function setTagAttributes(
    region: GeoRegionId,
    repository: string,
    tag: string,
    attributes: Partial<ChangeableAttributes>,
  ): Promise<AcrTag> {
    const response = await client(region).expect(
      'PATCH',
      `/acr/v1/${repository}/_tags/${tag}`,
      [200],
      {
        body: Buffer.from(JSON.stringify(attributes)),
        headers: { 'content-type': 'application/json' },
      },
    );
    return (await response.json()) as AcrTag;
  }

  async function tagIn(region: GeoRegionId, repository: string, tag: string): Promise<AcrTag> {
    const response = await client(region).expect(
      'GET',
      `/acr/v1/${repository}/_tags/${tag}`,
      [200],
    );
    return (await response.json()) as AcrTag;
  }

  /** Waits until both regions show the tag on `digest`, with these attributes if given. */
  async function settledInBoth(
    repository: string,
    tag: string,
    expected: { digest?: string; writeEnabled?: boolean },
  ): Promise<string> {
    return expectEventually(
      async () => {
        const [east, west] = await Promise.all([
          tagIn('us-east', repository, tag),
          tagIn('eu-west', repository, tag),
        ]);
        expect(east.tag.digest).toBe(west.tag.digest);
        if (expected.digest !== undefined) expect(east.tag.digest).toBe(expected.digest);
        for (const seen of [east, west]) {
          if (expected.writeEnabled !== undefined)
            expect(seen.tag.changeableAttributes.writeEnabled).toBe(expected.writeEnabled);
        }
        return east.tag.digest;
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 250 },
    );
  }

  /** A manifest PUT of `image` (its blobs are in `region`) answered 403 DENIED naming the lock. */
  async function expectPutDenied(
    region: GeoRegionId,
    repository: string,
    tag: string,
    image: { manifestBytes: Buffer; mediaType: string },
  ): Promise<void> {
    const response = await client(region).expect(
      'PUT',
      `/v2/${repository}/manifests/${tag}`,
      [403],
      { body: image.manifestBytes, headers: { 'content-type': image.mediaType } },
    );
    const body = (await response.json()) as OciErrors;
    expect(body.errors[0]).toMatchObject({
      code: 'DENIED',
      message: expect.stringMatching(/lock/),
    });
  }

  describe('a tag lock', () => {
    it('set in eu-west refuses the push in us-east; unlocked in us-east, the push goes through', async () => {
      const [first, second] = await Promise.all([buildImage('first'), buildImage('second')]);
      await push(first, 'us-east', 'locks/app:release');
      await settledInBoth('locks/app', 'release', { digest: first.manifestDigest });

      const locked = await setTagAttributes('eu-west', 'locks/app', 'release', {
        writeEnabled: false,
      });
      expect(locked.tag.changeableAttributes).toEqual({
        deleteEnabled: true,
        writeEnabled: false,
        readEnabled: true,
        listEnabled: true,
      });
      await settledInBoth('locks/app', 'release', {
        digest: first.manifestDigest,
        writeEnabled: false,
      });

      const refusal = await refusedPush(second, 'us-east', 'locks/app:release');
      expect(refusal).toMatch(/denied/i);
      expect(refusal).toContain('writeEnabled');
      expect((await tagIn('us-east', 'locks/app', 'release')).tag.digest).toBe(
        first.manifestDigest,
      );
      expect((await tagIn('eu-west', 'locks/app', 'release')).tag.digest).toBe(
        first.manifestDigest,
      );

      await setTagAttributes('us-east', 'locks/app', 'release', { writeEnabled: true });
      await push(second, 'us-east', 'locks/app:release');
      await settledInBoth('locks/app', 'release', {
        digest: second.manifestDigest,
        writeEnabled: true,
      });
    });

    it('racing a push of the same tag in the other region ends locked, on one digest, in both', async () => {
      for (let round = 1; round <= raceRounds; round += 1) {
        const tag = `race-${round}`;
        const [before, racer] = await Promise.all([buildImage('before'), buildImage('racer')]);
        await push(before, 'us-east', `locks/race:${tag}`);
        await settledInBoth('locks/race', tag, { digest: before.manifestDigest });

        // the push may land before the lock, after it (refused), or unseen by it (taken back)
        await Promise.all([
          setTagAttributes('eu-west', 'locks/race', tag, { writeEnabled: false }),
          push(racer, 'us-east', `locks/race:${tag}`).catch(() => undefined),
        ]);

        const digest = await settledInBoth('locks/race', tag, { writeEnabled: false });
        expect([before.manifestDigest, racer.manifestDigest]).toContain(digest);
        // the digest in force is in both regions with its blobs: re-pushing it is refused too
        const current = digest === before.manifestDigest ? before : racer;
        for (const region of ['us-east', 'eu-west'] as const) {
          await expectPutDenied(region, 'locks/race', tag, current);
        }
        // and nothing moved while refusing
        expect(await settledInBoth('locks/race', tag, { writeEnabled: false })).toBe(digest);
      }
    });
  });

  describe('a repository delete', () => {
    const repository = 'gone/app';
    let one: OciLayoutImage;
    let two: OciLayoutImage;

    async function expectNotPulled(region: GeoRegionId, reference: string): Promise<void> {
      const response = await client(region).expect(
        'GET',
        `/v2/${repository}/manifests/${reference}`,
        [404],
      );
      const body = (await response.json()) as OciErrors;
      expect(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN']).toContain(body.errors[0]?.code);
    }

    async function expectUnlisted(region: GeoRegionId): Promise<void> {
      for (const path of ['/v2/_catalog', '/acr/v1/_catalog']) {
        const response = await client(region).expect('GET', path, [200]);
        const body = (await response.json()) as { repositories: string[] };
        expect(body.repositories).not.toContain(repository);
      }
    }

    beforeAll(async () => {
      [one, two] = await Promise.all([buildImage('one'), buildImage('two')]);
      await push(one, 'us-east', `${repository}:one`);
      await push(two, 'us-east', `${repository}:two`);
      await settledInBoth(repository, 'one', { digest: one.manifestDigest });
      await settledInBoth(repository, 'two', { digest: two.manifestDigest });
    }, 180_000);

    it('made in eu-west is gone from both regions, by tag and by digest, and from the catalogs', async () => {
      const deleted = await client('eu-west').expect('DELETE', `/acr/v1/${repository}`, [202]);
      expect(await deleted.json()).toEqual({ deletedManifests: 2 });

      // at once in eu-west, whatever us-east still holds (no peer fallback for it)
      const references = ['one', 'two', one.manifestDigest, two.manifestDigest];
      for (const reference of references) await expectNotPulled('eu-west', reference);
      await expectUnlisted('eu-west');
      for (const reference of [`${repository}:one`, `${repository}@${two.manifestDigest}`]) {
        expect(await failedInspect('eu-west', reference)).toMatch(/(name|manifest) unknown/);
      }

      await expectEventually(
        async () => {
          for (const reference of references) await expectNotPulled('us-east', reference);
          await expectUnlisted('us-east');
        },
        { timeoutMs: replicationTimeoutMs, intervalMs: 250 },
      );
      expect(await failedInspect('us-east', `${repository}:two`)).toMatch(
        /(name|manifest) unknown/,
      );
      // and still gone in eu-west once us-east has applied it
      for (const reference of references) await expectNotPulled('eu-west', reference);
    });

    it('lets the name be pushed again, and the new image survives in both regions', async () => {
      const again = await buildImage('again');
      await push(again, 'us-east', `${repository}:again`);
      await settledInBoth(repository, 'again', { digest: again.manifestDigest });
      for (const region of ['us-east', 'eu-west'] as const) {
        for (const reference of ['one', one.manifestDigest])
          await expectNotPulled(region, reference);
        const response = await client(region).expect('GET', '/acr/v1/_catalog', [200]);
        expect(((await response.json()) as { repositories: string[] }).repositories).toContain(
          repository,
        );
      }
    });
  });
});
