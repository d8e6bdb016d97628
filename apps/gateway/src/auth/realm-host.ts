/**
 * Which `Host` a gateway without MERIDIAN_PUBLIC_URL may build its token realm from. The
 * realm tells a client where to send its password: taken from any Host, a request with
 * `Host: evil.example` (a poisoned cache, a DNS rebinding page, a confused proxy) gets a
 * challenge pointing credentials at evil.example. Without a public URL the gateway is the
 * embedded default or a test, reached on this machine: loopback names and addresses, and
 * the address it listens on, are the hosts it can vouch for; a gateway reached under any
 * other name needs MERIDIAN_PUBLIC_URL.
 */
import { isIP } from 'node:net';

/** Whether `hostHeader` (`name[:port]`, `[v6][:port]`) names this gateway (see above). */
export function isRealmHost(hostHeader: string | undefined, listenHost: string): boolean {
  if (hostHeader === undefined) return false;
  const host = hostOf(hostHeader);
  if (host === undefined) return false;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4 && host.split('.')[0] === '127') return true;
  if (isIP(host) === 6 && isLoopbackV6(host)) return true;
  const listen = listenHost.toLowerCase();
  return !['0.0.0.0', '::', '[::]'].includes(listen) && hostOf(listen) === host;
}

/** The host part of a Host header, lower-cased, without brackets or a trailing dot. */
function hostOf(hostHeader: string): string | undefined {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    const rest = value.slice(end + 1);
    if (end < 0 || (rest !== '' && !/^:\d{1,5}$/.test(rest))) return undefined;
    return value.slice(1, end);
  }
  if (isIP(value) === 6) return value; // a bare IPv6 listen address
  const [name = '', port, ...extra] = value.split(':');
  if (extra.length > 0 || (port !== undefined && !/^\d{1,5}$/.test(port))) return undefined;
  return name.replace(/\.$/, '') || undefined;
}

function isLoopbackV6(address: string): boolean {
  if (address === '::1') return true;
  // ::ffff:127.x.x.x, the IPv4 loopback mapped into IPv6
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped !== null && mapped[1]!.startsWith('127.');
}
