/**
 * The credentials of an `Authorization` header: `Bearer <token>` or `Basic <base64 of
 * user:password>` (the password may itself contain colons). No header, or a scheme we do
 * not speak, reads as none. A header of our schemes that does not parse (no value, not
 * base64, not UTF-8, no colon, a NUL or control character in the user name, a NUL in the
 * password) is `malformed`: the caller answers 401 rather than going on anonymously, and
 * never hands such a name to the auth service (where it would count as a failed login).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isStorableText } from '@meridian/oci';

export type Credentials =
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'malformed'; reason: string };

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f]/;

export function readCredentials(headers: IncomingHttpHeaders): Credentials | undefined {
  const header = headers.authorization;
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const value = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (value === '') return malformed(`the ${scheme} credentials are missing`);
  if (scheme === 'bearer') return { scheme, token: value };
  if (!base64.test(value)) return malformed('the basic credentials are not base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64'));
  } catch {
    return malformed('the basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return malformed('the basic credentials have no colon');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (controlCharacter.test(username) || !isStorableText(password)) {
    return malformed('the basic credentials hold control characters');
  }
  return { scheme, username, password };
}

function malformed(reason: string): Credentials {
  return { scheme: 'malformed', reason };
}
