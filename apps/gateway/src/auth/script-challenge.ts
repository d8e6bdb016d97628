/**
 * A Basic challenge makes a browser open its own password dialog over the page that asked,
 * and hold the page's request until someone answers it (for `fetch` too). A script that
 * authenticates by itself (the web portal) says so with `X-Requested-With: XMLHttpRequest`,
 * the header browsers' own scripts have long sent for this; its 401s then carry the Bearer
 * challenge of the token realm instead, which browsers leave to the script, and which is as
 * true (the management API and ACR's take its tokens). Every other client keeps the Basic
 * challenge it knows.
 */
import type { IncomingHttpHeaders } from 'node:http';

export function isScriptRequest(headers: IncomingHttpHeaders): boolean {
  return String(headers['x-requested-with'] ?? '').toLowerCase() === 'xmlhttprequest';
}

export function challengeFor(
  headers: IncomingHttpHeaders,
  challenge: string,
  bearer: () => string,
): string {
  return isScriptRequest(headers) && /^basic\b/i.test(challenge) ? bearer() : challenge;
}
