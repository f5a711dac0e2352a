/**
 * Codes, tokens and challenges travel over TLS (RFC 6749 §3.1.2.1); plain http is acceptable only
 * where no network lies between the two ends, the loopback interface (RFC 8252 §7.3).
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** https, or http on a loopback host. */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
