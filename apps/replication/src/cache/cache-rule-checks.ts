/**
 * The rules of rules: which rule covers a repository, and which existing rule a new target
 * would overlap. No two rules' targets may cover one repository, so a repository has one
 * upstream at most and the answer never depends on the order rules were made in.
 */
import {
  type CacheRuleView,
  type CacheTarget,
  parseCacheTarget,
  upstreamRepositoryFor,
} from '@meridian/contracts';

type Rule = Pick<CacheRuleView, 'name' | 'source' | 'target'>;

/** The rule whose target covers `repository`, with the repository upstream. */
export function ruleFor<R extends Rule>(
  rules: readonly R[],
  repository: string,
): { rule: R; upstreamRepository: string } | undefined {
  for (const rule of rules) {
    const upstreamRepository = upstreamRepositoryFor(rule, repository);
    if (upstreamRepository !== undefined) return { rule, upstreamRepository };
  }
  return undefined;
}

/** The first rule other than `name` whose target covers a repository `target` covers too. */
export function overlappingRule<R extends Rule>(
  rules: readonly R[],
  name: string,
  target: string,
): R | undefined {
  const wanted = parseCacheTarget(target);
  if (!wanted) return undefined;
  return rules.find((rule) => {
    if (rule.name === name) return false;
    const other = parseCacheTarget(rule.target);
    return other !== undefined && targetsOverlap(wanted, other);
  });
}

function targetsOverlap(a: CacheTarget, b: CacheTarget): boolean {
  if (!a.wildcard && !b.wildcard) return a.repository === b.repository;
  if (a.wildcard && b.wildcard)
    return (
      a.repository === b.repository ||
      a.repository.startsWith(`${b.repository}/`) ||
      b.repository.startsWith(`${a.repository}/`)
    );
  const [namespace, exact] = a.wildcard ? [a, b] : [b, a];
  return exact.repository.startsWith(`${namespace.repository}/`);
}
