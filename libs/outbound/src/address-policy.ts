/**
 * Where a webhook may send, and which upstream registries an import may fetch from: public addresses only. Loopback, private, link-local, CGNAT,
 * unique-local and cloud-metadata addresses (and v4 ones dressed as v6: mapped, NAT64,
 * 6to4) are refused unless the operator lists them, by host name or CIDR, in
 * MERIDIAN_WEBHOOK_ALLOWED_HOSTS (webhooks) or MERIDIAN_UPSTREAM_ALLOWED_HOSTS (imports). The check is made on every address a host resolves to,
 * and the request then connects to the address that was checked (see resolve-target.ts).
 */
import { BlockList, isIP } from 'node:net';

const refusedV4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const refusedV6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

/** The cloud metadata endpoints, named so the refusal says what they are. */
const metadataAddresses = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

export interface AddressVerdict {
  allowed: boolean;
  /** why it was refused */
  reason?: string;
}

export class AddressPolicy {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedRanges = new BlockList();

  /** `allowed`: host names, addresses and CIDRs, as MERIDIAN_WEBHOOK_ALLOWED_HOSTS lists them. */
  constructor(allowed: readonly string[] = []) {
    for (const entry of allowed) this.allow(entry.trim());
  }

  /** Whether a host name is on the operator's list (then whatever it resolves to is fine). */
  allowsHost(host: string): boolean {
    return this.allowedHosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''));
  }

  /** The verdict on one resolved address. */
  check(address: string): AddressVerdict {
    const family = isIP(address);
    if (family === 0) return { allowed: false, reason: `${address} is not an IP address` };
    const normalized = address.toLowerCase();
    if (this.isAllowedByOperator(normalized, family)) return { allowed: true };
    const embedded = family === 6 ? embeddedV4(normalized) : undefined;
    if (embedded !== undefined) {
      const verdict = this.check(embedded);
      return verdict.allowed
        ? verdict
        : { allowed: false, reason: `${verdict.reason} (as ${address})` };
    }
    if (metadataAddresses.has(normalized))
      return { allowed: false, reason: `${address} is a cloud metadata address` };
    const ranges = family === 4 ? refusedV4 : refusedV6;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    for (const [network, prefix, kind] of ranges) {
      const list = new BlockList();
      list.addSubnet(network, prefix, type);
      if (list.check(normalized, type))
        return { allowed: false, reason: `${address} is a ${kind} address` };
    }
    return { allowed: true };
  }

  private isAllowedByOperator(address: string, family: number): boolean {
    if (this.allowedHosts.has(address)) return true;
    return this.allowedRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private allow(entry: string): void {
    if (entry === '') return;
    const [network, prefix] = entry.split('/');
    const family = isIP(network ?? '');
    if (family !== 0 && prefix !== undefined) {
      this.allowedRanges.addSubnet(network!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      return;
    }
    this.allowedHosts.add(entry.toLowerCase().replace(/^\[|\]$/g, ''));
  }
}

/**
 * The IPv4 address inside an IPv6 one that routes to it: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002:wwxx:yyzz::/48`).
 */
export function embeddedV4(address: string): string | undefined {
  const groups = expandV6(address);
  if (!groups) return undefined;
  const zeroPrefix = groups.slice(0, 5).every((group) => group === 0);
  const tail = v4FromGroups(groups[6]!, groups[7]!);
  if (zeroPrefix && groups[5] === 0xffff) return tail;
  if (zeroPrefix && groups[5] === 0 && (groups[6]! !== 0 || groups[7]! > 1)) return tail;
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return tail;
  if (groups[0] === 0x2002) return v4FromGroups(groups[1]!, groups[2]!);
  return undefined;
}

function v4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address (a dotted v4 tail included). */
function expandV6(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const first = parse(head);
  const last = parse(tail);
  const missing = 8 - first.length - last.length;
  if (tail === undefined && first.length !== 8) return undefined;
  if (missing < 0) return undefined;
  return [...first, ...new Array<number>(tail === undefined ? 0 : missing).fill(0), ...last];
}
