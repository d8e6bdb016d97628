import { type SweptManifest, manifestsToDelete } from './retention-rules';

/** A manifest as the sweep reads it: untagged, unlocked, not expired unless said. */
const manifest = (digest: string, over: Partial<SweptManifest> = {}): SweptManifest => ({
  digest,
  tagged: false,
  locked: false,
  expired: false,
  children: [],
  ...over,
});
const expired = (digest: string, over: Partial<SweptManifest> = {}) =>
  manifest(digest, { expired: true, ...over });
const digestsOf = (manifests: SweptManifest[]) =>
  manifestsToDelete(manifests).map((doomed) => doomed.digest);

describe('manifestsToDelete (retention of untagged manifests)', () => {
  it('deletes a manifest untagged for longer than the days, keeps a fresh one and a tagged one', () => {
    expect(
      digestsOf([expired('old'), manifest('fresh'), manifest('tagged', { tagged: true })]),
    ).toEqual(['old']);
  });

  it('never deletes a manifest a lock keeps', () => {
    expect(digestsOf([expired('locked', { locked: true })])).toEqual([]);
  });

  it('keeps the children of a tagged index, however long they have been untagged', () => {
    const index = manifest('index', { tagged: true, children: ['amd64', 'arm64'] });
    expect(digestsOf([index, expired('amd64'), expired('arm64')])).toEqual([]);
  });

  it('keeps the children of an index a lock keeps, and of an index still fresh', () => {
    const locked = expired('locked-index', { locked: true, children: ['a'] });
    const fresh = manifest('fresh-index', { children: ['b'] });
    expect(digestsOf([locked, fresh, expired('a'), expired('b')])).toEqual([]);
  });

  it('keeps a grandchild of a tagged index (nested indexes)', () => {
    const top = manifest('top', { tagged: true, children: ['middle'] });
    const middle = expired('middle', { children: ['leaf'] });
    expect(digestsOf([top, middle, expired('leaf')])).toEqual([]);
  });

  it('deletes an expired index before its expired children', () => {
    const index = expired('index', { children: ['amd64'] });
    expect(digestsOf([expired('amd64'), index])).toEqual(['index', 'amd64']);
  });

  it('keeps a child that another, tagged index also lists', () => {
    const doomed = expired('old-index', { children: ['shared'] });
    const kept = manifest('new-index', { tagged: true, children: ['shared'] });
    expect(digestsOf([doomed, kept, expired('shared')])).toEqual(['old-index']);
  });

  it('keeps the referrers of a kept subject, however old they are', () => {
    expect(
      digestsOf([
        manifest('image', { tagged: true }),
        expired('sbom', { subject: 'image' }),
        expired('signature', { subject: 'image' }),
      ]),
    ).toEqual([]);
  });

  it('takes the referrers of a deleted manifest with it, fresh or not, referrers first', () => {
    expect(
      manifestsToDelete([
        expired('image'),
        manifest('sbom', { subject: 'image' }),
        expired('report', { subject: 'image' }),
        manifest('signature-of-sbom', { subject: 'sbom' }),
      ]),
    ).toEqual([
      { digest: 'signature-of-sbom', withSubject: 'sbom' },
      { digest: 'sbom', withSubject: 'image' },
      { digest: 'report', withSubject: 'image' },
      { digest: 'image' },
    ]);
  });

  it('leaves a locked referrer of a deleted subject, and keeps what that referrer holds', () => {
    const referrer = manifest('locked-sbom', { subject: 'image', locked: true });
    expect(
      digestsOf([
        expired('image'),
        referrer,
        manifest('its-signature', { subject: 'locked-sbom' }),
      ]),
    ).toEqual(['image']);
  });

  it('treats a referrer whose subject is not stored here as any manifest', () => {
    expect(
      digestsOf([expired('orphan', { subject: 'gone' }), manifest('fresh', { subject: 'gone' })]),
    ).toEqual(['orphan']);
  });

  it('keeps a tagged referrer of a deleted subject (a tag means someone wants it)', () => {
    expect(
      digestsOf([expired('image'), manifest('sig', { subject: 'image', tagged: true })]),
    ).toEqual(['image']);
  });
});
