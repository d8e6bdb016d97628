/**
 * The `scope` parameter of the Docker token protocol: `<type>:<name>:<actions>`, e.g.
 * `repository:team/app:pull,push`, `registry:catalog:*`. The type may carry a resource class
 * (`repository(plugin):…`), which grants nothing different and is dropped. A repository
 * name holds no colon, but a registry host with a port could precede it in a scope some
 * clients send, so the name is everything between the first and the last colon.
 */
import type { AccessEntry } from '@meridian/contracts';

export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((action) => action.trim())
    .filter((action) => action.length > 0);
  if (type.length === 0 || name.length === 0 || actions.length === 0) return undefined;
  return { type, name, actions };
}

/**
 * The asked scopes as access entries, one per (type, name) with their actions merged. A
 * malformed scope asks for nothing: it is not granted, and not an error.
 */
export function parseScopes(scopes: readonly string[]): AccessEntry[] {
  const merged = new Map<string, AccessEntry>();
  for (const scope of scopes.flatMap((value) => value.split(' '))) {
    const entry = parseScope(scope);
    if (!entry) continue;
    const key = `${entry.type}\u0000${entry.name}`;
    const known = merged.get(key);
    if (known) known.actions = [...new Set([...known.actions, ...entry.actions])];
    else merged.set(key, { ...entry, actions: [...new Set(entry.actions)] });
  }
  return [...merged.values()];
}
