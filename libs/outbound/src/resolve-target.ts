/**
 * Resolves a webhook's host and checks every address against the AddressPolicy. The request
 * is then made with a `lookup` that answers the checked address and nothing else, so a DNS
 * answer that changes between check and connect (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { AddressPolicy } from './address-policy';

export interface CheckedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export class TargetRefused extends Error {}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Throws TargetRefused naming the address and why, or answers the address to connect to. */
export async function resolveTarget(
  uri: string,
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): Promise<CheckedTarget> {
  const url = new URL(uri);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetRefused(`${url.protocol} is not http or https`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      throw new TargetRefused(`${host} does not resolve: ${(error as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new TargetRefused(`${host} does not resolve`);
  if (!policy.allowsHost(host)) {
    for (const { address } of addresses) {
      const verdict = policy.check(address);
      if (!verdict.allowed)
        throw new TargetRefused(`${host} resolves to a refused address: ${verdict.reason}`);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http.request that answers only the checked address. */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}
