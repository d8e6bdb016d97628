/**
 * Cache rules (ACR's "artifact cache"), kept and answered by the replication service: a pull
 * of a repository matching a rule's `target` that this region does not have is fetched from
 * the rule's `source` upstream, served while it is stored, and kept as an ordinary push.
 *
 * A source names an upstream registry's host and a repository there, or a namespace ending
 * in `/*`: `registry.example.com/library/*`, `127.0.0.1:5000/app`. A target is a repository
 * of this registry, or a namespace ending in `/*`: `hub/library/*`. A wildcard rule maps
 * what the `*` stands for (one or more path components) from the target to the source, so
 * `hub/library/alpine` is `library/alpine` upstream; an exact rule maps one repository.
 * Both ends are wildcards or neither is.
 */
import { Digest, RepositoryName, TagName, isRepositoryName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';
import { CredentialSetName, Credentials } from './import.rpc';

export interface CacheSource {
  /** `host[:port]` */
  registry: string;
  /** the repository, or the namespace a wildcard rule stands under (without `/*`) */
  repository: string;
  wildcard: boolean;
}

export interface CacheTarget {
  repository: string;
  wildcard: boolean;
}

const hostPattern = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/;

/** The source as a rule spells it, or undefined when it does not parse. */
export function parseCacheSource(text: string): CacheSource | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0) return undefined;
  const registry = text.slice(0, slash);
  if (!hostPattern.test(registry) || !(/[.:]/.test(registry) || registry === 'localhost'))
    return undefined;
  const target = parseCacheTarget(text.slice(slash + 1));
  return target && { registry: registry.toLowerCase(), ...target };
}

/** The target as a rule spells it, or undefined when it does not parse. */
export function parseCacheTarget(text: string): CacheTarget | undefined {
  const wildcard = text.endsWith('/*');
  const repository = wildcard ? text.slice(0, -2) : text;
  if (!isRepositoryName(repository)) return undefined;
  return { repository, wildcard };
}

/**
 * The upstream repository a rule maps `repository` to, or undefined when the rule's target
 * does not cover it. The wildcard stands for one or more whole path components.
 */
export function upstreamRepositoryFor(
  rule: { source: string; target: string },
  repository: string,
): string | undefined {
  const source = parseCacheSource(rule.source);
  const target = parseCacheTarget(rule.target);
  if (!source || !target) return undefined;
  if (!target.wildcard) return repository === target.repository ? source.repository : undefined;
  const prefix = `${target.repository}/`;
  if (!repository.startsWith(prefix) || repository.length === prefix.length) return undefined;
  return `${source.repository}/${repository.slice(prefix.length)}`;
}

/** `30s`, `15m`, `1h`, `7d` as seconds; undefined when it does not parse. */
export function parseTagTtl(text: string): number | undefined {
  const match = /^(\d{1,7})(s|m|h|d)$/.exec(text);
  if (!match) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** How long a cached tag is served before it is checked upstream again, at most. */
export const maxTagTtlSeconds = 30 * 86_400;
export const defaultTagTtl = '1h';

export const CacheRuleName = CredentialSetName;

export const CacheSourceText = z
  .string()
  .max(512)
  .refine(
    (text) => parseCacheSource(text) !== undefined,
    'expected host[:port]/repository or host[:port]/namespace/*',
  );

export const CacheTargetText = z
  .string()
  .max(256)
  .refine(
    (text) => parseCacheTarget(text) !== undefined,
    'expected a repository or a namespace ending in /*',
  );

export const TagTtlText = z.string().refine((text) => {
  const seconds = parseTagTtl(text);
  return seconds !== undefined && seconds <= maxTagTtlSeconds;
}, 'expected a duration such as 30s, 15m, 1h or 7d, at most 30d');

/** A rule as the API takes it. */
export const CacheRuleInput = z
  .strictObject({
    source: CacheSourceText,
    target: CacheTargetText,
    credentialSet: CredentialSetName.optional(),
    tagTtl: TagTtlText.default(defaultTagTtl),
  })
  .refine(
    (rule) => parseCacheSource(rule.source)?.wildcard === parseCacheTarget(rule.target)?.wildcard,
    { message: 'source and target are both namespaces ending in /* or both repositories' },
  );
export type CacheRuleInput = z.infer<typeof CacheRuleInput>;

export const CacheRuleView = z.object({
  name: CacheRuleName,
  source: z.string(),
  target: z.string(),
  credentialSet: CredentialSetName.optional(),
  tagTtl: z.string(),
  tagTtlSeconds: z.number().int().nonnegative(),
  createdTime: z.iso.datetime(),
  updatedTime: z.iso.datetime(),
});
export type CacheRuleView = z.infer<typeof CacheRuleView>;

/** What the gateway needs to fetch a repository through its rule. */
export const CacheResolution = z.object({
  rule: CacheRuleView,
  /** `host[:port]` of the upstream */
  registry: z.string(),
  /** the repository there */
  repository: z.string(),
  /** the credential set's, opened; absent for an anonymous upstream */
  credentials: Credentials.optional(),
});
export type CacheResolution = z.infer<typeof CacheResolution>;

export const cacheRuleRpc = {
  /** REQUEST_INVALID for an unknown credential set or a target overlapping another rule's. */
  put: defineRpc({
    service: 'replication',
    verb: 'cache-rule-put',
    request: z.object({ name: CacheRuleName, rule: CacheRuleInput }),
    response: z.object({ created: z.boolean(), cacheRule: CacheRuleView }),
  }),
  /** RESOURCE_UNKNOWN for no such rule. */
  get: defineRpc({
    service: 'replication',
    verb: 'cache-rule-get',
    request: z.object({ name: CacheRuleName }),
    response: CacheRuleView,
  }),
  list: defineRpc({
    service: 'replication',
    verb: 'cache-rule-list',
    request: z.object({}),
    response: z.object({ cacheRules: z.array(CacheRuleView) }),
  }),
  /** RESOURCE_UNKNOWN for no such rule. */
  delete: defineRpc({
    service: 'replication',
    verb: 'cache-rule-delete',
    request: z.object({ name: CacheRuleName }),
    response: z.object({}),
  }),
  /**
   * The rule covering `repository`, with the upstream to fetch it from and the credentials
   * to log in with (the gateway streams the bytes). NAME_UNKNOWN when no rule covers it;
   * RESOURCE_UNKNOWN when the rule's credential set was deleted.
   */
  resolve: defineRpc({
    service: 'replication',
    verb: 'cache-resolve',
    request: z.object({ repository: RepositoryName }),
    response: CacheResolution,
  }),
  /**
   * Stores what a pull through the cache fetched as an ordinary push: an import job of the
   * upstream's `digest` into `repository` (under `tag` when pulled by tag, which it
   * overwrites), started after `delayMs` so the blobs the puller is streaming land in the
   * store first and are mounted, not fetched again.
   */
  store: defineRpc({
    service: 'replication',
    verb: 'cache-store',
    request: z.object({
      repository: RepositoryName,
      digest: Digest,
      tag: TagName.optional(),
      delayMs: z.number().int().min(0).max(600_000).default(0),
    }),
    response: z.object({ id: z.uuid() }),
  }),
} as const;
