/**
 * OUTBOUND_ALLOW: the private hosts and networks that the provider's own outbound requests may
 * reach (src/security/outbound.ts enforces it). Only the syntax of the list is read here.
 */
import { BlockList, isIP } from 'node:net';

export interface OutboundPolicy {
  /** Host names (lower case) that may resolve to private addresses. */
  hosts: ReadonlySet<string>;
  /** Private addresses and networks that may be reached. */
  networks: BlockList;
}

/** Parses OUTBOUND_ALLOW: host names, IP addresses and CIDR networks, comma separated. */
export function parseOutboundAllow(text: string | undefined): { policy: OutboundPolicy; problems: string[] } {
  const hosts = new Set<string>();
  const networks = new BlockList();
  const problems: string[] = [];
  for (const entry of (text ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        problems.push(`OUTBOUND_ALLOW: "${entry}" has an invalid prefix length`);
        continue;
      }
      networks.addSubnet(address, bits, type);
    } else if (prefix === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
      hosts.add(entry);
    } else {
      problems.push(`OUTBOUND_ALLOW: "${entry}" is neither a host name, an IP address nor a network such as 10.0.0.0/8`);
    }
  }
  return { policy: { hosts, networks }, problems };
}
