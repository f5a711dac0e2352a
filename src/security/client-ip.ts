/**
 * The client IP that rate limits, lock-outs and the audit log are keyed by. It is Koa's
 * `ctx.ip`: the socket's peer address, or — only when the operator set TRUST_PROXY — the
 * address that the trusted proxy appended to X-Forwarded-For (app.proxy, app.maxIpsCount).
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'koa';

const ON_BEHALF_OF = Symbol('the client IP of the request this internal request serves');

/**
 * Marks a request this process made to itself (the account page's back-channel) on behalf of a
 * browser's request: it counts and is logged under that browser's IP, not under 127.0.0.1 for
 * everyone. A property of the request object, set by the back-channel's own listener: nothing a
 * client sends can set it.
 */
export function actOnBehalfOf(req: IncomingMessage, ip: string): void {
  (req as IncomingMessage & { [ON_BEHALF_OF]?: string })[ON_BEHALF_OF] = ip;
}

/** The client's address as a person reads it ("::ffff:1.2.3.4" is 1.2.3.4). */
export function clientIp(ctx: Context): string {
  const delegated = (ctx.req as IncomingMessage & { [ON_BEHALF_OF]?: string })[ON_BEHALF_OF];
  const ip = delegated ?? (ctx.ip || ctx.req.socket.remoteAddress || 'unknown');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/**
 * The key a limit counts under. An IPv6 client usually holds a whole /64 (RFC 6177 §3, RFC
 * 7421 §1), so counting per address would let it step past any limit: it counts per /64.
 */
export function ipKey(ip: string): string {
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::') as [string, string | undefined];
  const parts = (text: string) => (text ? text.split(':') : []);
  const left = parts(head);
  const right = parts(tail ?? '');
  // An embedded IPv4 tail (::ffff:1.2.3.4 and the like) is two groups.
  const last = right.at(-1) ?? left.at(-1);
  const v4 = last && isIPv4(last) ? last.split('.').map(Number) : undefined;
  if (v4) {
    const groups = [((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16)];
    if (right.length) right.splice(-1, 1, ...groups);
    else left.splice(-1, 1, ...groups);
  }
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.toLowerCase().padStart(4, '0'));
}
