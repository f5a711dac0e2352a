/**
 * Where the provider's own outbound requests may go (SSRF; SECURITY.md, "Outbound requests"): the URLs that
 * clients choose (registered jwks_uri, sector_identifier_uri, backchannel_logout_uri) are
 * fetched by oidc-provider through this policy.
 *
 * - Public addresses: allowed.
 * - Private, loopback and other special-use addresses (RFC 6890): refused unless the host name
 *   or the network is on the operator's OUTBOUND_ALLOW list.
 * - Link-local addresses (169.254.0.0/16, fe80::/10) and the cloud metadata services: always
 *   refused, whatever the list says: they hand out a cloud instance's credentials.
 *
 * The check runs on the addresses a name resolves to, at connect time, so a name that resolves
 * differently later (DNS rebinding) is checked again on every connection.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { OutboundPolicy } from '../config/index.js';

/** Never reached, whatever the allow-list says. */
const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_REFUSED.addSubnet('fe80::', 10, 'ipv6');
// Cloud metadata services outside link-local: AWS over IPv6, Alibaba Cloud.
ALWAYS_REFUSED.addAddress('fd00:ec2::254', 'ipv6');
ALWAYS_REFUSED.addAddress('100.100.100.200', 'ipv4');

/** Special-use addresses (RFC 6890 and successors) that are not the public internet. */
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  SPECIAL_USE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  ['100::', 64],
] as const) {
  SPECIAL_USE.addSubnet(network, prefix, 'ipv6');
}

export const NO_PRIVATE_OUTBOUND: OutboundPolicy = { hosts: new Set(), networks: new BlockList() };

const typeOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Why `address` (which `hostname` resolved to) may not be reached, or undefined. */
export function outboundRefusal(policy: OutboundPolicy, hostname: string, address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const type = typeOf(ip);
  if (ALWAYS_REFUSED.check(ip, type))
    return `${hostname} resolves to ${ip}, a link-local or cloud metadata address, which is never reached`;
  if (!SPECIAL_USE.check(ip, type)) return undefined;
  if (policy.hosts.has(hostname.toLowerCase()) || policy.networks.check(ip, type)) return undefined;
  return `${hostname} resolves to ${ip}, a private or loopback address that OUTBOUND_ALLOW does not list`;
}

/** Resolves `hostname` and says why the policy refuses it, or undefined (also when it does not resolve). */
export async function hostRefusal(policy: OutboundPolicy, hostname: string): Promise<string | undefined> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return outboundRefusal(policy, bare, bare);
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    dnsLookup(bare, { all: true }, (error, found) => resolve(error ? [] : found)),
  );
  for (const { address } of addresses) {
    const refusal = outboundRefusal(policy, bare, address);
    if (refusal) return refusal;
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for sockets that fails for addresses the policy refuses. */
function checkedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refusal = outboundRefusal(policy, hostname, address);
        if (refusal) return callback(Object.assign(new Error(refusal), { code: 'EOUTBOUNDREFUSED' }), []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The dispatcher class behind Node's fetch (undici's Agent), as oidc-provider finds it too. */
function agentClass(): (new (options: object) => object) | undefined {
  void Response;
  const global = globalThis as unknown as Record<symbol, { constructor: new (options: object) => object } | undefined>;
  return (global[Symbol.for('undici.globalDispatcher.2')] ?? global[Symbol.for('undici.globalDispatcher.1')])?.constructor;
}

/** oidc-provider's `fetch`: its requests, through this policy. */
export function policedFetch(policy: OutboundPolicy): (url: string | URL | Request, options?: RequestInit) => Promise<Response> {
  const Agent = agentClass();
  if (!Agent) throw new Error('the outbound policy needs Node.js fetch (undici)');
  const dispatcher = new Agent({ connect: { lookup: checkedLookup(policy) } });
  return async (url, options) => {
    const target = new URL(url instanceof Request ? url.url : url);
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    // An address in the URL is connected to without a look-up: checked here.
    if (isIP(literal)) {
      const refusal = outboundRefusal(policy, literal, literal);
      if (refusal) throw new TypeError(`fetch refused: ${refusal}`);
    }
    return globalThis.fetch(url, { ...options, dispatcher } as RequestInit);
  };
}
