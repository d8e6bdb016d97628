/**
 * The challenge of an upstream registry's 401 (`WWW-Authenticate`, RFC 7235 as the
 * distribution token spec uses it): `Bearer realm="…",service="…",scope="…"` for Docker
 * token auth, `Basic realm="…"` for Basic auth. Parameters may be quoted (with `\"` inside)
 * or bare tokens; the scheme is case-insensitive.
 */
export type AuthChallenge =
  { scheme: 'bearer'; realm: string; service?: string; scope?: string } | { scheme: 'basic' };

export function parseAuthChallenge(header: string | undefined): AuthChallenge | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return undefined;
  const params = new Map<string, string>();
  const param = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = match[2]!;
  param.lastIndex = 0;
  let found: RegExpExecArray | null;
  while (param.lastIndex < rest.length && (found = param.exec(rest)) !== null) {
    const value = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
    params.set(found[1]!.toLowerCase(), value);
  }
  const realm = params.get('realm');
  if (!realm) return undefined;
  const service = params.get('service');
  const scope = params.get('scope');
  return {
    scheme: 'bearer',
    realm,
    ...(service === undefined ? {} : { service }),
    ...(scope === undefined ? {} : { scope }),
  };
}
