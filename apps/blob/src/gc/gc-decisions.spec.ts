import { type BlobRow, type References, decide, linkKey } from './gc-decisions';

const hour = 3_600_000;
const now = new Date('2026-12-06T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * hour);
const cutoff = ago(24);
const digest = `sha256:${'a'.repeat(64)}`;

function blob(links: BlobRow['links'], createdAt = ago(100)): BlobRow {
  return { digest, size: 10, createdAt, links };
}

function refs(links: string[] = [], digests: string[] = []): References {
  return { links: new Set(links), digests: new Set(digests) };
}

describe('decide', () => {
  it('keeps a link its repository references, and clears a stale mark', () => {
    const decisions = decide(
      [blob([{ repository: 'app', createdAt: ago(100), unreferencedSince: ago(30) }])],
      refs([linkKey('app', digest)], [digest]),
      now,
      cutoff,
    );
    expect(decisions.removeLinks).toEqual([]);
    expect(decisions.unmarkLinks).toEqual([{ repository: 'app', digest }]);
    expect(decisions.doom).toEqual([]);
  });

  it('marks an unreferenced link first seen now, and keeps it through the grace period', () => {
    const decisions = decide(
      [blob([{ repository: 'app', createdAt: ago(100) }])],
      refs(),
      now,
      cutoff,
    );
    expect(decisions.markLinks).toEqual([{ repository: 'app', digest }]);
    expect(decisions.removeLinks).toEqual([]);
    expect(decisions.inGracePeriod).toBe(1);
    expect(decisions.doom).toEqual([]);
  });

  it('counts the grace period from the link made again, however long ago it was marked', () => {
    const decisions = decide(
      [blob([{ repository: 'app', createdAt: ago(1), unreferencedSince: ago(48) }])],
      refs(),
      now,
      cutoff,
    );
    expect(decisions.removeLinks).toEqual([]);
    expect(decisions.inGracePeriod).toBe(1);
  });

  it('removes links unreferenced past the grace period and dooms the blob nothing references', () => {
    const decisions = decide(
      [
        blob([
          { repository: 'app', createdAt: ago(100), unreferencedSince: ago(25) },
          { repository: 'other', createdAt: ago(90), unreferencedSince: ago(30) },
        ]),
      ],
      refs(),
      now,
      cutoff,
    );
    expect(decisions.removeLinks).toEqual([
      { repository: 'app', digest },
      { repository: 'other', digest },
    ]);
    expect(decisions.doom).toEqual([{ digest, size: 10 }]);
  });

  it('keeps a blob a manifest of another repository references, without a link (a copy under way)', () => {
    const decisions = decide([blob([])], refs([], [digest]), now, cutoff);
    expect(decisions.doom).toEqual([]);
  });

  it('keeps a blob stored within the grace period, links or not', () => {
    const decisions = decide([blob([], ago(2))], refs(), now, cutoff);
    expect(decisions.doom).toEqual([]);
  });

  it('keeps a blob while any of its links stays', () => {
    const decisions = decide(
      [
        blob([
          { repository: 'app', createdAt: ago(100), unreferencedSince: ago(25) },
          { repository: 'kept', createdAt: ago(100) },
        ]),
      ],
      refs([linkKey('kept', digest)], [digest]),
      now,
      cutoff,
    );
    expect(decisions.removeLinks).toEqual([{ repository: 'app', digest }]);
    expect(decisions.doom).toEqual([]);
  });

  it('with no grace period, removes and dooms in the first collection that sees them', () => {
    const decisions = decide(
      [blob([{ repository: 'app', createdAt: ago(0) }], now)],
      refs(),
      now,
      now,
    );
    expect(decisions.removeLinks).toEqual([{ repository: 'app', digest }]);
    expect(decisions.doom).toEqual([{ digest, size: 10 }]);
  });
});
