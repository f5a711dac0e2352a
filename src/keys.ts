import { generateKeyPair, randomBytes, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import type { JsonWebKeySet } from './config.js';

const generate = promisify(generateKeyPair);

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/**
 * A new private signing JWK with a kid derived from its public part (RFC 7638-like thumbprint),
 * in hex: a base64url kid may start with "-", which a command line reads as an option
 * (`keys retire --kid …`).
 */
export async function generateSigningKey(alg: SigningAlgorithm = 'RS256'): Promise<Record<string, unknown>> {
  const { privateKey } =
    alg === 'RS256' ? await generate('rsa', { modulusLength: 2048 })
    : alg === 'ES256' ? await generate('ec', { namedCurve: 'P-256' })
    : await generate('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const publicPart = JSON.stringify(Object.fromEntries(Object.entries(jwk).filter(([k]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)).sort()));
  const kid = createHash('sha256').update(publicPart).digest('hex').slice(0, 24);
  return { ...jwk, kid, alg, use: 'sig' };
}

export async function generateJwks(alg: SigningAlgorithm = 'RS256'): Promise<JsonWebKeySet> {
  return { keys: [await generateSigningKey(alg)] };
}

/** A cookie-signing key: 48 random bytes, URL-safe (64 characters; the minimum is 32). */
export function generateCookieKey(): string {
  return randomBytes(48).toString('base64url');
}
