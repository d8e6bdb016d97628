/**
 * Scopes of the Docker token protocol, both ways: the strings a challenge names and a
 * client asks for (`repository:team/app:pull,push`, `registry:catalog:*`), and the
 * `access` entries a verified token grants. The resource name sits between the first and
 * the last colon, so names with a registry host and port (`host:5000/app`) parse too.
 */
import type { AccessEntry } from '@meridian/contracts';

/** Parses one scope; undefined for a string that is not `type:name:actions`. */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action !== '');
  if (type === '' || actions.length === 0) return undefined;
  return { type, name: scope.slice(first + 1, last), actions };
}

/** The scopes of a token request: each `scope` value may hold several, space-separated. */
export function splitScopes(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(' ')).filter((scope) => scope !== '');
}

export function formatScope(entry: AccessEntry): string {
  return `${entry.type}:${entry.name}:${entry.actions.join(',')}`;
}

/** Whether `granted` allows every action `needed` names (`*` allows them all). */
export function grantsAccess(granted: readonly AccessEntry[], needed: AccessEntry): boolean {
  return needed.actions.every((action) =>
    granted.some(
      (entry) =>
        entry.type === needed.type &&
        entry.name === needed.name &&
        (entry.actions.includes(action) || entry.actions.includes('*')),
    ),
  );
}
