/**
 * A `WWW-Authenticate` challenge (RFC 7235): the scheme and its parameters, e.g.
 * `Bearer realm="https://r/oauth2/token",service="r",scope="repository:app:pull"`. Only the
 * first challenge of the header is read; Meridian sends one.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const param = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = match[2] ?? '';
  let found: RegExpExecArray | null;
  while ((found = param.exec(rest)) !== null && found[0] !== '') {
    const name = found[1]!.toLowerCase();
    params[name] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** The `rel="next"` target of a `Link` header, resolved against the request's URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel="?next"?/.test(match[2] ?? '')) return new URL(match[1]!, base).toString();
  }
  return undefined;
}
