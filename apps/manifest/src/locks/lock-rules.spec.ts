import { type ChangeableAttributes, RegistryError, formatHlc } from '@meridian/contracts';
import {
  type Locks,
  attributesAt,
  deniedByLock,
  permittedPushes,
  permittedTagWrites,
  refusesManifestDelete,
  refusesPull,
  refusesPush,
  refusesRepositoryDelete,
  refusesTagDelete,
  refusesTagWrite,
  unlocked,
} from './lock-rules';

const at = (wallMs: number, region = 'us-east') => formatHlc({ wallMs, counter: 0, region });
const locked = (attributes: Partial<ChangeableAttributes>): ChangeableAttributes => ({
  ...unlocked,
  ...attributes,
});
const tag = (name: string, attributes: Partial<ChangeableAttributes>) => ({
  target: { kind: 'tag' as const, tag: name },
  attributes: locked(attributes),
});
const manifest = (digest: string, attributes: Partial<ChangeableAttributes>) => ({
  target: { kind: 'manifest' as const, digest },
  attributes: locked(attributes),
});
const digest = `sha256:${'a'.repeat(64)}`;

describe('lock rules', () => {
  describe(attributesAt.name, () => {
    const changes = [
      { hlc: at(1000), attributes: locked({ writeEnabled: false }) },
      { hlc: at(3000), attributes: unlocked },
      { hlc: at(2000), attributes: locked({ readEnabled: false }) },
    ];

    it('answers the newest change, whatever order the history is in', () => {
      expect(attributesAt(changes)).toEqual(unlocked);
    });

    it('answers the newest change strictly before a reading, all enabled before the first', () => {
      expect(attributesAt(changes, at(1500))).toEqual(locked({ writeEnabled: false }));
      expect(attributesAt(changes, at(2000))).toEqual(locked({ writeEnabled: false }));
      expect(attributesAt(changes, at(2001))).toEqual(locked({ readEnabled: false }));
      expect(attributesAt(changes, at(1000))).toEqual(unlocked);
      expect(attributesAt([], at(1000))).toEqual(unlocked);
    });

    it('orders equal wall times by region, as the clock does', () => {
      const tie = [{ hlc: at(1000, 'eu-west'), attributes: locked({ writeEnabled: false }) }];
      expect(attributesAt(tie, at(1000, 'us-east')).writeEnabled).toBe(false);
      expect(attributesAt(tie, at(1000, 'ap-south')).writeEnabled).toBe(true);
    });
  });

  describe('writes', () => {
    it('refuses a push into a write-locked repository, by digest or by tag', () => {
      const locks: Locks = { repository: locked({ writeEnabled: false }) };
      expect(refusesPush(locks)).toEqual({
        target: { kind: 'repository' },
        attribute: 'writeEnabled',
      });
      expect(refusesPush({ ...locks, tag: tag('v1', {}) })?.target).toEqual({
        kind: 'repository',
      });
    });

    it('refuses pointing a write-locked tag anywhere, and lets other locks through', () => {
      expect(
        refusesTagWrite({ repository: unlocked, tag: tag('v1', { writeEnabled: false }) }),
      ).toEqual({
        target: { kind: 'tag', tag: 'v1' },
        attribute: 'writeEnabled',
      });
      const others = { deleteEnabled: false, readEnabled: false, listEnabled: false };
      expect(
        refusesTagWrite({ repository: locked(others), tag: tag('v1', others) }),
      ).toBeUndefined();
    });

    it('does not refuse tagging a write-locked manifest', () => {
      expect(
        refusesTagWrite({
          repository: unlocked,
          tag: tag('v1', {}),
          manifest: manifest(digest, { writeEnabled: false, deleteEnabled: false }),
        }),
      ).toBeUndefined();
    });
  });

  describe('deletes', () => {
    it('refuses deleting a tag that is delete- or write-locked, or in such a repository', () => {
      expect(
        refusesTagDelete({ repository: unlocked, tag: tag('v1', { deleteEnabled: false }) }),
      ).toEqual({
        target: { kind: 'tag', tag: 'v1' },
        attribute: 'deleteEnabled',
      });
      expect(
        refusesTagDelete({ repository: unlocked, tag: tag('v1', { writeEnabled: false }) })
          ?.attribute,
      ).toBe('writeEnabled');
      expect(
        refusesTagDelete({ repository: locked({ deleteEnabled: false }), tag: tag('v1', {}) })
          ?.target,
      ).toEqual({ kind: 'repository' });
    });

    it('lets a tag pointing to a locked manifest be deleted', () => {
      expect(
        refusesTagDelete({
          repository: unlocked,
          tag: tag('v1', {}),
          manifest: manifest(digest, { deleteEnabled: false, writeEnabled: false }),
        }),
      ).toBeUndefined();
    });

    it('refuses deleting a manifest that is locked, or that a locked tag points to', () => {
      expect(
        refusesManifestDelete({
          repository: unlocked,
          manifest: manifest(digest, { writeEnabled: false }),
        }),
      ).toEqual({ target: { kind: 'manifest', digest }, attribute: 'writeEnabled' });
      expect(
        refusesManifestDelete({
          repository: unlocked,
          manifest: manifest(digest, {}),
          tagsOfManifest: [tag('v1', { readEnabled: false }), tag('v2', { deleteEnabled: false })],
        }),
      ).toEqual({ target: { kind: 'tag', tag: 'v2' }, attribute: 'deleteEnabled' });
    });

    it('refuses deleting a repository while it or anything in it is delete- or write-locked', () => {
      expect(
        refusesRepositoryDelete(unlocked, [tag('v1', { listEnabled: false })]),
      ).toBeUndefined();
      expect(
        refusesRepositoryDelete(unlocked, [manifest(digest, { writeEnabled: false })]),
      ).toEqual({
        target: { kind: 'manifest', digest },
        attribute: 'writeEnabled',
      });
      expect(refusesRepositoryDelete(locked({ deleteEnabled: false }), [])).toEqual({
        target: { kind: 'repository' },
        attribute: 'deleteEnabled',
      });
    });
  });

  describe(refusesPull.name, () => {
    it('applies the repository’s and the manifest’s read locks, and the tag’s when pulled by tag', () => {
      expect(refusesPull(digest, undefined, { repository: true, manifest: true })).toBeUndefined();
      expect(refusesPull(digest, 'v1', { repository: true, manifest: true, tag: false })).toEqual({
        target: { kind: 'tag', tag: 'v1' },
        attribute: 'readEnabled',
      });
      expect(refusesPull(digest, 'v1', { repository: true, manifest: false, tag: true })).toEqual({
        target: { kind: 'manifest', digest },
        attribute: 'readEnabled',
      });
      expect(refusesPull(digest, undefined, { repository: false, manifest: true })?.target).toEqual(
        { kind: 'repository' },
      );
    });
  });

  describe(deniedByLock.name, () => {
    it('names the lock in a DENIED error', () => {
      const err = deniedByLock('app', {
        target: { kind: 'tag', tag: 'v1' },
        attribute: 'writeEnabled',
      });
      expect(err).toBeInstanceOf(RegistryError);
      expect(err).toMatchObject({
        code: 'DENIED',
        message: 'tag "v1" of repository "app" is locked: writeEnabled is false',
        detail: { repository: 'app', tag: 'v1', attribute: 'writeEnabled' },
      });
      expect(
        deniedByLock('app', { target: { kind: 'manifest', digest }, attribute: 'readEnabled' }),
      ).toMatchObject({
        message: `manifest "${digest}" of repository "app" is locked: readEnabled is false`,
        detail: { repository: 'app', digest, attribute: 'readEnabled' },
      });
      expect(
        deniedByLock('app', { target: { kind: 'repository' }, attribute: 'deleteEnabled' }).message,
      ).toBe('repository "app" is locked: deleteEnabled is false');
    });
  });

  describe(permittedTagWrites.name, () => {
    const writes = [
      { hlc: at(1000), digest: 'sha256:one' },
      { hlc: at(2000), digest: 'sha256:two' },
      { hlc: at(2500), digest: null },
      { hlc: at(4000), digest: 'sha256:four' },
    ];

    it('keeps every write, newest first, when nothing is locked', () => {
      expect(permittedTagWrites('v1', writes, [], []).map((w) => w.hlc)).toEqual([
        at(4000),
        at(2500),
        at(2000),
        at(1000),
      ]);
    });

    it('drops the writes a lock in force at their reading refuses, and only those', () => {
      const tagChanges = [
        { hlc: at(1500), attributes: locked({ writeEnabled: false }) },
        { hlc: at(3000), attributes: unlocked },
      ];
      expect(permittedTagWrites('v1', writes, [], tagChanges).map((w) => w.hlc)).toEqual([
        at(4000),
        at(1000),
      ]);
    });

    it('drops only deletes under a delete lock, and judges by the repository’s locks too', () => {
      const deleteLocked = [{ hlc: at(100), attributes: locked({ deleteEnabled: false }) }];
      expect(permittedTagWrites('v1', writes, deleteLocked, []).map((w) => w.hlc)).toEqual([
        at(4000),
        at(2000),
        at(1000),
      ]);
      const writeLocked = [{ hlc: at(3500), attributes: locked({ writeEnabled: false }) }];
      expect(permittedTagWrites('v1', writes, writeLocked, [])[0]?.hlc).toBe(at(2500));
    });
  });

  describe(permittedPushes.name, () => {
    it('keeps the pushes made while the repository was not write-locked, newest first', () => {
      const changes = [
        { hlc: at(2000), attributes: locked({ writeEnabled: false }) },
        { hlc: at(3000), attributes: locked({ deleteEnabled: false }) },
        { hlc: at(4000), attributes: locked({ writeEnabled: false }) },
      ];
      expect(permittedPushes([at(1000), at(2500), at(3500), at(4500)], changes)).toEqual([
        at(3500),
        at(1000),
      ]);
      expect(permittedPushes([at(2500)], changes)).toEqual([]);
    });
  });
});
