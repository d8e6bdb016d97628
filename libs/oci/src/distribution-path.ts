/**
 * Routing of the distribution API's paths (`/v2/...`). A repository name has any number
 * of components and a component may itself be `blobs`, `manifests`, `tags`, `uploads` or
 * `referrers`, so a path is matched from its end: `/v2/a/blobs/b/manifests/latest` is
 * the manifest `latest` of repository `a/blobs/b`.
 *
 * Each segment is percent-decoded on its own, then validated by the grammar of what it
 * is; a decoded `/` can therefore never join two name components, and `..`, NUL and
 * the like fail every grammar.
 */
import { z } from 'zod';
import { isRepositoryName, isTag } from './grammar';
import { parseDigest } from './digest';
import { OciValidationError } from './oci-validation-error';

export type DistributionRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string; referenceKind: 'tag' | 'digest' }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  /**
   * `uploadId` is the segment as sent, not checked: an id that is not a UUID (see
   * isUploadId) names no session, and the caller answers BLOB_UPLOAD_UNKNOWN (404)
   * exactly as for a UUID it does not know, without asking the blob service.
   */
  | { kind: 'upload'; name: string; uploadId: string }
  | { kind: 'referrers'; name: string; digest: string };

export type DistributionRouteKind = DistributionRoute['kind'];

/**
 * Upload session ids are UUIDs (distribution-spec: the location "MUST contain a UUID"), in
 * the lowercase form the blob service issues them (`randomUUID`). One spelling per session:
 * the id also names the session's directory in the store (libs/storage paths.ts), which
 * checks it by this same rule.
 */
const UploadId = z.uuid().refine((id) => id === id.toLowerCase());

export function isUploadId(value: string): boolean {
  return UploadId.safeParse(value).success;
}

/**
 * Matches a request path (with or without a query string) to a distribution route.
 * Undefined when the path is not a distribution API path; throws NAME_INVALID,
 * TAG_INVALID or DIGEST_INVALID when it is one but names something malformed.
 */
export function parseDistributionPath(pathname: string): DistributionRoute | undefined {
  const path = pathname.split(/[?#]/, 1)[0];
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) return undefined;
  const raw = path.slice('/v2/'.length).split('/');
  if (raw.length === 1 && raw[0] === '_catalog') return { kind: 'catalog' };

  const segments = raw.map(decodeSegment);
  const n = segments.length;
  const [third, keyword, last] = [segments[n - 3], segments[n - 2], segments[n - 1]];
  const nameBefore = (tailLength: number): string =>
    parseName(segments.slice(0, n - tailLength), raw.slice(0, n - tailLength).join('/'));

  // A trailing slash belongs only to the uploads path (`/v2/<name>/blobs/uploads/`).
  if (last === '') {
    return n > 3 && third === 'blobs' && keyword === 'uploads'
      ? { kind: 'uploads', name: nameBefore(3) }
      : undefined;
  }
  // Every other route is a name of at least one component and two more segments.
  if (n < 3) return undefined;
  if (keyword === 'tags' && last === 'list') return { kind: 'tags', name: nameBefore(2) };
  if (keyword === 'manifests') {
    const name = nameBefore(2);
    return { kind: 'manifest', name, ...parseReference(last) };
  }
  if (keyword === 'uploads' && third === 'blobs' && n > 3) {
    return { kind: 'upload', name: nameBefore(3), uploadId: last ?? raw[n - 1] };
  }
  if (keyword === 'blobs' && last === 'uploads') return { kind: 'uploads', name: nameBefore(2) };
  if (keyword === 'blobs') {
    const name = nameBefore(2);
    return { kind: 'blob', name, digest: parsePathDigest(last) };
  }
  if (keyword === 'referrers') {
    const name = nameBefore(2);
    return { kind: 'referrers', name, digest: parsePathDigest(last) };
  }
  return undefined;
}

/** Undefined for malformed percent-encoding, which no grammar can accept. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `sent` is the name as it appeared in the path, for the error detail. */
function parseName(components: (string | undefined)[], sent: string): string {
  const decoded = components.filter((component) => component !== undefined);
  const name = decoded.join('/');
  const wellFormed =
    decoded.length === components.length && decoded.every((component) => !component.includes('/'));
  if (!wellFormed || !isRepositoryName(name)) {
    throw new OciValidationError('NAME_INVALID', 'invalid repository name', { name: sent });
  }
  return name;
}

function parseReference(reference: string | undefined): {
  reference: string;
  referenceKind: 'tag' | 'digest';
} {
  if (reference !== undefined && reference.includes(':')) {
    parseDigest(reference);
    return { reference, referenceKind: 'digest' };
  }
  if (reference === undefined || !isTag(reference)) {
    throw new OciValidationError('TAG_INVALID', 'invalid tag', { reference });
  }
  return { reference, referenceKind: 'tag' };
}

function parsePathDigest(value: string | undefined): string {
  if (value === undefined) {
    throw new OciValidationError('DIGEST_INVALID', 'invalid digest', { digest: value });
  }
  parseDigest(value);
  return value;
}
