/**
 * Imports (`az acr import`), answered by the replication service: a job that copies an image
 * from another registry (or a repository of this one) under one or more `repo:tag` targets,
 * as an ordinary push. And the credential sets imports log in to upstream registries with,
 * kept sealed and never returned.
 *
 * A source names its registry the way Docker does: the first path component is a host when
 * it holds a `.` or a `:` or is `localhost` (`registry.example.com/library/alpine:3.20`,
 * `127.0.0.1:5000/app@sha256:…`); otherwise it is a repository of this registry
 * (`team/app:1.2`).
 */
import { Digest, isRepositoryName, isSupportedDigest, isTag } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';

export interface ImportSource {
  /** `host[:port]`; absent for a repository of this registry */
  registry?: string;
  repository: string;
  /** a tag or a digest */
  reference: string;
}

/** The source as a request spells it, or undefined when it does not parse. */
export function parseImportSource(text: string): ImportSource | undefined {
  const at = text.indexOf('@');
  let name: string;
  let reference: string;
  if (at >= 0) {
    name = text.slice(0, at);
    reference = text.slice(at + 1);
    if (!isSupportedDigest(reference)) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    const slash = text.lastIndexOf('/');
    if (colon <= slash) return undefined;
    name = text.slice(0, colon);
    reference = text.slice(colon + 1);
    if (!isTag(reference)) return undefined;
  }
  const [first, ...rest] = name.split('/');
  const isHost =
    first !== undefined && rest.length > 0 && (/[.:]/.test(first) || first === 'localhost');
  const registry = isHost ? first : undefined;
  const repository = isHost ? rest.join('/') : name;
  if (
    registry !== undefined &&
    !/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/.test(registry)
  )
    return undefined;
  if (!isRepositoryName(repository)) return undefined;
  return { ...(registry === undefined ? {} : { registry }), repository, reference };
}

/** `repo` or `repo:tag`: where the image lands. Without a tag the source's tag is used. */
export interface ImportTarget {
  repository: string;
  tag?: string;
}

export function parseImportTarget(text: string): ImportTarget | undefined {
  const colon = text.lastIndexOf(':');
  const repository = colon < 0 ? text : text.slice(0, colon);
  const tag = colon < 0 ? undefined : text.slice(colon + 1);
  if (!isRepositoryName(repository)) return undefined;
  if (tag !== undefined && !isTag(tag)) return undefined;
  return { repository, ...(tag === undefined ? {} : { tag }) };
}

export const ImportSourceText = z
  .string()
  .max(1024)
  .refine(
    (text) => parseImportSource(text) !== undefined,
    'expected host[:port]/repository:tag, host[:port]/repository@digest, or repository:tag of this registry',
  );

export const ImportTargetText = z
  .string()
  .max(512)
  .refine((text) => parseImportTarget(text) !== undefined, 'expected repository[:tag]');

export const CredentialSetName = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'lowercase letters, digits and dashes, at most 63',
  );

/** A username with its password, or a bearer token the upstream accepts as it is. */
export const Credentials = z.union([
  z.strictObject({ username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }),
  z.strictObject({ token: z.string().min(1).max(16_384) }),
]);
export type Credentials = z.infer<typeof Credentials>;

export const ImportRequest = z
  .strictObject({
    source: ImportSourceText,
    /** one target or several */
    target: z.union([ImportTargetText, z.array(ImportTargetText).min(1).max(16)]),
    credentials: Credentials.optional(),
    credentialSet: CredentialSetName.optional(),
    /** PEM certificates the upstream's HTTPS certificate must chain to, instead of the system's */
    caBundle: z
      .string()
      .max(256 * 1024)
      .optional(),
    /** overwrite a target tag that points to another manifest */
    force: z.boolean().default(false),
    /** an index with every platform; false: only `platform`'s image */
    allPlatforms: z.boolean().default(true),
    platform: z
      .string()
      .regex(/^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9]+)?$/, 'os/architecture[/variant]')
      .default('linux/amd64'),
  })
  .refine((request) => !(request.credentials && request.credentialSet), {
    message: 'give credentials or a credential set, not both',
  });
export type ImportRequest = z.infer<typeof ImportRequest>;

/** The targets of a request, one or several. */
export function importTargets(request: Pick<ImportRequest, 'target'>): ImportTarget[] {
  const texts = Array.isArray(request.target) ? request.target : [request.target];
  return texts.map((text) => parseImportTarget(text)!);
}

export const ImportState = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type ImportState = z.infer<typeof ImportState>;

/**
 * Why an import failed, one word each; the job's `error.message` says it in words.
 * `retryable` reasons are tried again with backoff before the job fails with them.
 */
export const ImportFailureReason = z.enum([
  'UPSTREAM_UNAUTHORIZED',
  'UPSTREAM_NOT_FOUND',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_INVALID',
  'UPSTREAM_REFUSED',
  'DIGEST_MISMATCH',
  'SOURCE_UNKNOWN',
  'CREDENTIAL_SET_UNKNOWN',
  'TAG_EXISTS',
  'LOCKED',
  'QUOTA_EXCEEDED',
  'INTERNAL',
]);
export type ImportFailureReason = z.infer<typeof ImportFailureReason>;

export const ImportJob = z.object({
  id: z.uuid(),
  state: ImportState,
  source: z.string(),
  targets: z.array(z.string()),
  force: z.boolean(),
  allPlatforms: z.boolean(),
  credentialSet: CredentialSetName.optional(),
  /** the manifest imported (an index's digest for a multi-platform image) */
  digest: Digest.optional(),
  progress: z.object({
    bytesDone: z.number().int().nonnegative(),
    bytesTotal: z.number().int().nonnegative(),
    blobsDone: z.number().int().nonnegative(),
    blobsTotal: z.number().int().nonnegative(),
    /** blobs this region's store held already: linked, not fetched */
    blobsMounted: z.number().int().nonnegative(),
  }),
  attempts: z.number().int().nonnegative(),
  error: z.object({ reason: ImportFailureReason, message: z.string() }).optional(),
  createdTime: z.iso.datetime(),
  finishedTime: z.iso.datetime().optional(),
});
export type ImportJob = z.infer<typeof ImportJob>;

export const CredentialSetView = z.object({
  name: CredentialSetName,
  kind: z.enum(['password', 'token']),
  username: z.string().optional(),
  createdTime: z.iso.datetime(),
  updatedTime: z.iso.datetime(),
});
export type CredentialSetView = z.infer<typeof CredentialSetView>;

export const importRpc = {
  /** Queues a job; answers at once with its id. */
  start: defineRpc({
    service: 'replication',
    verb: 'import-start',
    request: ImportRequest,
    response: z.object({ id: z.uuid(), state: ImportState }),
  }),
  /** RESOURCE_UNKNOWN for no such job. */
  get: defineRpc({
    service: 'replication',
    verb: 'import-get',
    request: z.object({ id: z.uuid() }),
    response: ImportJob,
  }),
} as const;

export const credentialSetRpc = {
  put: defineRpc({
    service: 'replication',
    verb: 'credential-set-put',
    request: z.object({ name: CredentialSetName, credentials: Credentials }),
    response: z.object({ created: z.boolean(), credentialSet: CredentialSetView }),
  }),
  /** RESOURCE_UNKNOWN for no such set. */
  get: defineRpc({
    service: 'replication',
    verb: 'credential-set-get',
    request: z.object({ name: CredentialSetName }),
    response: CredentialSetView,
  }),
  list: defineRpc({
    service: 'replication',
    verb: 'credential-set-list',
    request: z.object({}),
    response: z.object({ credentialSets: z.array(CredentialSetView) }),
  }),
  /** RESOURCE_UNKNOWN for no such set. */
  delete: defineRpc({
    service: 'replication',
    verb: 'credential-set-delete',
    request: z.object({ name: CredentialSetName }),
    response: z.object({}),
  }),
} as const;
