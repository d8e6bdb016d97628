/**
 * What garbage collection does with one batch of blobs, decided from what the batch's rows
 * and the manifest service said: pure, so a dry run and the real run decide alike.
 *
 * - A link (a repository sees the blob) that no manifest of its repository references is
 *   removed once it has been unreferenced, and existed, for the grace period: the grace
 *   counts from the later of the link's creation (an upload or mount made again restarts
 *   it) and the moment a collection first saw it unreferenced (`unreferencedSince`, marked
 *   then, cleared when a reference is seen again). So a client that pushed or mounted its
 *   layers has the grace period to push its manifest, and a layer of a manifest deleted a
 *   minute ago stays mountable for as long.
 * - A blob is doomed when no manifest of the region references it, every link it had goes
 *   in this batch, and it was stored longer than the grace period ago.
 */
import type { BlobLink } from '@meridian/contracts';

export interface LinkRow {
  repository: string;
  createdAt: Date;
  unreferencedSince?: Date;
}

export interface BlobRow {
  digest: string;
  size: number;
  createdAt: Date;
  links: LinkRow[];
}

export interface References {
  /** `linkKey` of every referenced link */
  links: Set<string>;
  digests: Set<string>;
}

export interface Decisions {
  removeLinks: BlobLink[];
  /** first seen unreferenced now */
  markLinks: BlobLink[];
  /** referenced again */
  unmarkLinks: BlobLink[];
  doom: { digest: string; size: number }[];
  /** unreferenced links still in their grace period */
  inGracePeriod: number;
}

export function linkKey(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** `now` and `cutoff` (now minus the grace period) are the database's clock. */
export function decide(
  blobs: BlobRow[],
  references: References,
  now: Date,
  cutoff: Date,
): Decisions {
  const decisions: Decisions = {
    removeLinks: [],
    markLinks: [],
    unmarkLinks: [],
    doom: [],
    inGracePeriod: 0,
  };
  for (const blob of blobs) {
    let allLinksGo = true;
    for (const link of blob.links) {
      const named = { repository: link.repository, digest: blob.digest };
      if (references.links.has(linkKey(link.repository, blob.digest))) {
        allLinksGo = false;
        if (link.unreferencedSince !== undefined) decisions.unmarkLinks.push(named);
        continue;
      }
      const since = link.unreferencedSince ?? now;
      const start = Math.max(since.getTime(), link.createdAt.getTime());
      if (start <= cutoff.getTime()) {
        decisions.removeLinks.push(named);
        continue;
      }
      allLinksGo = false;
      decisions.inGracePeriod += 1;
      if (link.unreferencedSince === undefined) decisions.markLinks.push(named);
    }
    if (
      allLinksGo &&
      !references.digests.has(blob.digest) &&
      blob.createdAt.getTime() <= cutoff.getTime()
    ) {
      decisions.doom.push({ digest: blob.digest, size: blob.size });
    }
  }
  return decisions;
}
