/**
 * The credentials of an `Authorization` header: `Bearer <token>` or `Basic <base64 of
 * user:password>` (the password may itself contain colons). Anything else reads as none.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type Credentials =
  { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string };

export function readCredentials(headers: IncomingHttpHeaders): Credentials | undefined {
  const header = headers.authorization;
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (value === '') return undefined;
  if (scheme === 'bearer') return { scheme, token: value };
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { scheme, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
