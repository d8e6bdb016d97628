/**
 * Package URLs (github.com/package-url/purl-spec) for the four package types Meridian finds;
 * the SBOM names every component by one.
 */
export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string,
  qualifiers: Record<string, string | undefined> = {},
): string {
  const path = [namespace, name]
    .filter((part): part is string => !!part)
    .map(encodeURIComponent)
    .join('/');
  const query = Object.entries(qualifiers)
    .filter((entry): entry is [string, string] => !!entry[1])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `pkg:${type}/${path}@${encodeURIComponent(version)}${query ? `?${query}` : ''}`;
}

/** PEP 503 normalised name: what PyPI and OSV compare on. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
