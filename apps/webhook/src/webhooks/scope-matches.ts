/**
 * A webhook's scope with Azure Container Registry's meaning: `repo:tag`, where `*` matches
 * any run of characters in either part; `repo` alone means `repo:latest`; an empty scope
 * matches every event. A tag part of `*` also matches what carries no tag (a push by
 * digest, a repository deleted); any other tag part needs one of the event's tags.
 */
export interface ScopedImage {
  repository: string;
  /** the tags the event is about: none for a push by digest */
  tags: readonly string[];
}

export function scopeMatches(scope: string, image: ScopedImage): boolean {
  if (scope === '') return true;
  const colon = scope.indexOf(':');
  const repositoryPattern = colon === -1 ? scope : scope.slice(0, colon);
  const tagPattern = colon === -1 ? 'latest' : scope.slice(colon + 1) || 'latest';
  if (!globMatches(repositoryPattern, image.repository)) return false;
  if (tagPattern === '*') return true;
  return image.tags.some((tag) => globMatches(tagPattern, tag));
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}
