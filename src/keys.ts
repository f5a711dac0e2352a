import { generateKeyPair, randomBytes, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import type { JsonWebKeySet } from './config/index.js';

const generate = promisify(generateKeyPair);

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/**
 * A new private signing JWK with a kid derived from its public part (RFC 7638-like thumbprint),
 * in hex: a base64url kid may start with "-", which a command line reads as an option
 * (`keys retire --kid …`).
 */
export async function generateSigningKey(alg: SigningAlgorithm = 'RS256'): Promise<Record<string, unknown>> {
  const { privateKey } =
    alg === 'RS256'
      ? await generate('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? await generate('ec', { namedCurve: 'P-256' })
        : await generate('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const publicPart = JSON.stringify(
    Object.fromEntries(
      Object.entries(jwk)
        .filter(([k]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k))
        .sort(),
    ),
  );
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

/**
 * Our own JWK member on a staged key: the time (seconds since the epoch, like a JWT NumericDate)
 * from which it signs. Until then it is only published, so that every instance publishes a new
 * key before any instance signs with it (docs/deploying.md, "Rotating the signing key").
 */
export const SIGNS_FROM = 'signs_from';

type Jwk = Record<string, unknown>;

/** Staged: marked verify-only (RFC 7517 §4.3 key_ops), or scheduled to sign later than `now`. */
function staged(key: Jwk, now: number): boolean {
  const ops = key.key_ops;
  if (Array.isArray(ops) && !ops.includes('sign')) return true;
  return typeof key[SIGNS_FROM] === 'number' && key[SIGNS_FROM] > now;
}

/** The algorithm a key signs with: its "alg", or the one its type implies (RFC 7518 §3.1, RFC 8037 §3.1). */
export function algorithmOf(key: Jwk): string {
  if (typeof key.alg === 'string') return key.alg;
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC' && key.crv === 'P-256') return 'ES256';
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return 'EdDSA';
  return 'unknown';
}

/** Later signs_from first; then, as oidc-provider ranks keys, those with "alg" and "use" first. */
function rank(key: Jwk): [number, number] {
  const from = typeof key[SIGNS_FROM] === 'number' ? key[SIGNS_FROM] : -Infinity;
  return [from, (typeof key.alg === 'string' ? 1 : 0) + (typeof key.use === 'string' ? 1 : 0)];
}

/**
 * The key that signs `alg` tokens at `now`: of the keys not staged, the one whose signs_from is
 * latest (the newest promotion); among equals, the first in the file.
 */
export function signerAt(keys: readonly Jwk[], alg: string, now: number): Jwk | undefined {
  let signer: Jwk | undefined;
  for (const key of keys) {
    if (algorithmOf(key) !== alg || staged(key, now)) continue;
    const [from, score] = rank(key);
    const [bestFrom, bestScore] = signer ? rank(signer) : [-Infinity, -1];
    if (!signer || from > bestFrom || (from === bestFrom && score > bestScore)) signer = key;
  }
  return signer;
}

/**
 * The key set as oidc-provider takes it at `now`: each algorithm's signer first, every other key
 * verify-only (key_ops ["verify"]: published, never chosen to sign), without our own member.
 */
export function keysInEffect(jwks: JsonWebKeySet, now: number): JsonWebKeySet {
  const algs = [...new Set(jwks.keys.map(algorithmOf))];
  const signers = new Set(algs.map((alg) => signerAt(jwks.keys, alg, now)).filter((key): key is Jwk => key !== undefined));
  const strip = ({ [SIGNS_FROM]: _from, ...key }: Jwk): Jwk => key;
  return {
    keys: [
      ...jwks.keys.filter((key) => signers.has(key)).map(strip),
      ...jwks.keys.filter((key) => !signers.has(key)).map((key) => ({ ...strip(key), key_ops: ['verify'] })),
    ],
  };
}

/** When the key set in effect next changes by itself (a scheduled key starts signing), or undefined. */
export function nextKeyChange(jwks: JsonWebKeySet, now: number): number | undefined {
  const times = jwks.keys.map((key) => key[SIGNS_FROM]).filter((t): t is number => typeof t === 'number' && t > now);
  return times.length ? Math.min(...times) : undefined;
}
