/**
 * What `npm start` tells the person who ran it: where to open the product, and how a phone on
 * the same network reaches it (the QR code holds ISSUER's host, which for a phone must be the
 * computer's address on the network, not localhost).
 */
import { networkInterfaces } from 'node:os';
import type { Config } from './config/index.js';

export interface StartNotice {
  urls: Record<string, string>;
  /** A hint for trying the QR code with a real phone, when the configuration cannot work for one. */
  lan?: string;
}

/** The computer's IPv4 addresses on its networks (not loopback). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function startNotice(config: Config, lan: string[] = lanAddresses()): StartNotice {
  const at = (path: string) => new URL(path, config.issuer).href;
  const urls: Record<string, string> = { home: at('/') };
  if (config.demo) urls.demo = at('/demo');
  if (config.accountPage) urls.account = at('/account');
  const example = lan[0] ?? '<LAN-IP>';
  const issuerOnLoopback = LOOPBACK_HOSTS.has(config.issuer.hostname);
  const listensOnLoopback = config.host === '127.0.0.1' || config.host === 'localhost' || config.host === '::1';
  let hint: string | undefined;
  if (config.env !== 'production' && (issuerOnLoopback || listensOnLoopback)) {
    hint = `to sign in from a phone on your network (scan the QR code), start with HOST=0.0.0.0 ISSUER=http://${example}:${config.port} (README, "Try it with a phone")`;
  }
  return { urls, ...(hint ? { lan: hint } : {}) };
}
