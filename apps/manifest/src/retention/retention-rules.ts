/**
 * Which manifests of one repository the retention policy deletes, over what the sweep read:
 * a pure function, so the rules are tested without a database.
 *
 * A manifest is kept when
 * - a tag points to it, or a lock refuses deleting it (`deleteEnabled` or `writeEnabled`
 *   false on it or its repository: the sweep never reads a locked repository at all);
 * - it is a referrer (it has a subject stored here) and its subject is kept: its fate is its
 *   subject's, so a deleted manifest takes its referrers (SBOM, report, signatures) with it;
 * - it is no referrer and has been untagged for `days` or less;
 * - an index that is kept lists it.
 * Every other manifest goes, parents and subjects after what they hold up: referrers first,
 * then the manifest, an index before its children, so no pull ever meets a half-deleted image.
 */
export interface SweptManifest {
  digest: string;
  tagged: boolean;
  /** a lock on the manifest refuses deleting it */
  locked: boolean;
  /** untagged for longer than the policy's days */
  expired: boolean;
  subject?: string;
  /** the manifests an index lists */
  children: readonly string[];
}

export interface Doomed {
  digest: string;
  /** the subject it goes with; absent when it goes for being untagged too long itself */
  withSubject?: string;
}

export function manifestsToDelete(manifests: readonly SweptManifest[]): Doomed[] {
  const byDigest = new Map(manifests.map((manifest) => [manifest.digest, manifest]));
  const referrers = new Map<string, SweptManifest[]>();
  for (const manifest of manifests) {
    if (manifest.subject === undefined || !byDigest.has(manifest.subject)) continue;
    const list = referrers.get(manifest.subject) ?? [];
    list.push(manifest);
    referrers.set(manifest.subject, list);
  }
  const followsSubject = (manifest: SweptManifest) =>
    manifest.subject !== undefined && byDigest.has(manifest.subject);

  const kept = new Set<string>();
  const queue: string[] = [];
  const keep = (digest: string) => {
    if (kept.has(digest) || !byDigest.has(digest)) return;
    kept.add(digest);
    queue.push(digest);
  };
  for (const manifest of manifests) {
    if (manifest.tagged || manifest.locked) keep(manifest.digest);
    else if (!followsSubject(manifest) && !manifest.expired) keep(manifest.digest);
  }
  for (let digest = queue.shift(); digest !== undefined; digest = queue.shift()) {
    const manifest = byDigest.get(digest);
    for (const child of manifest?.children ?? []) keep(child);
    for (const referrer of referrers.get(digest) ?? []) keep(referrer.digest);
  }

  // referrers and parents first: a manifest goes once everything doomed that holds it went
  const ordered: Doomed[] = [];
  const placed = new Set<string>();
  const holders = new Map<string, string[]>();
  const hold = (held: string, holder: string) => {
    holders.set(held, [...(holders.get(held) ?? []), holder]);
  };
  for (const manifest of manifests) {
    if (kept.has(manifest.digest)) continue;
    for (const child of manifest.children) hold(child, manifest.digest);
    if (followsSubject(manifest)) hold(manifest.subject as string, manifest.digest);
  }
  const place = (manifest: SweptManifest, visiting: Set<string>) => {
    if (placed.has(manifest.digest) || visiting.has(manifest.digest)) return;
    visiting.add(manifest.digest);
    for (const holder of holders.get(manifest.digest) ?? []) {
      const held = byDigest.get(holder);
      if (held && !kept.has(holder)) place(held, visiting);
    }
    placed.add(manifest.digest);
    ordered.push(
      followsSubject(manifest)
        ? { digest: manifest.digest, withSubject: manifest.subject }
        : { digest: manifest.digest },
    );
  };
  for (const manifest of manifests) if (!kept.has(manifest.digest)) place(manifest, new Set());
  return ordered;
}
