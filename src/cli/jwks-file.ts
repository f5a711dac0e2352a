/**
 * The provider's signing keys (JWKS_FILE) and their order. oidc-provider signs with the first
 * key of an algorithm (its keystore sorts candidates stably, keys with explicit "alg" and "use"
 * first) and publishes all of them, so older keys keep verifying the tokens they signed.
 */
import type { JsonWebKeySet } from '../config.js';
import type { SigningAlgorithm } from '../keys.js';
import { CliError } from './context.js';
import { readJsonFile } from './files.js';

export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const satisfies readonly SigningAlgorithm[];

export type Jwk = Record<string, unknown>;

export interface KeyEntry {
  kid: string;
  alg: string;
  role: 'signer' | 'verify-only';
}

/** The algorithm a key signs with: its "alg", or the one its type implies (RFC 7518 §3.1, RFC 8037 §3.1). */
export function algorithmOf(key: Jwk): string {
  if (typeof key['alg'] === 'string') return key['alg'];
  if (key['kty'] === 'RSA') return 'RS256';
  if (key['kty'] === 'EC' && key['crv'] === 'P-256') return 'ES256';
  if (key['kty'] === 'OKP' && key['crv'] === 'Ed25519') return 'EdDSA';
  return 'unknown';
}

function score(key: Jwk): number {
  return (typeof key['alg'] === 'string' ? 1 : 0) + (typeof key['use'] === 'string' ? 1 : 0);
}

/** The key oidc-provider signs `alg` tokens with. */
export function signerOf(keys: readonly Jwk[], alg: string): Jwk | undefined {
  const candidates = keys.filter((key) => algorithmOf(key) === alg);
  return [...candidates].sort((a, b) => score(b) - score(a))[0];
}

export function describeKeys(keys: readonly Jwk[]): KeyEntry[] {
  return keys.map((key) => ({
    kid: String(key['kid']),
    alg: algorithmOf(key),
    role: signerOf(keys, algorithmOf(key)) === key ? 'signer' : 'verify-only',
  }));
}

export async function readJwksFile(path: string): Promise<JsonWebKeySet> {
  const raw = await readJsonFile(path);
  if (raw === undefined) throw new CliError(`${path} does not exist (create it with 'keys generate')`);
  const keys = (raw as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new CliError(`${path} is not a JSON Web Key Set with keys: {"keys":[...]}`);
  }
  const kids = keys.map((k: Jwk) => k['kid']);
  if (kids.some((kid) => typeof kid !== 'string' || kid === '')) throw new CliError(`${path}: every key needs a "kid"`);
  const duplicate = kids.find((kid, i) => kids.indexOf(kid) !== i);
  if (duplicate !== undefined) throw new CliError(`${path}: kid "${String(duplicate)}" appears twice (oidc-provider refuses duplicate kids)`);
  if (keys.some((k: Jwk) => k['d'] === undefined)) throw new CliError(`${path}: a key without "d" is public and cannot sign; the provider needs private keys`);
  return raw as JsonWebKeySet;
}

/** Puts `key` first: it becomes the signer of its algorithm at the next start. */
export function rotateIn(jwks: JsonWebKeySet, key: Jwk): JsonWebKeySet {
  return { ...jwks, keys: [key, ...jwks.keys] };
}

export function retire(jwks: JsonWebKeySet, kid: string): JsonWebKeySet {
  const key = jwks.keys.find((k) => k['kid'] === kid);
  if (!key) throw new CliError(`no key with kid "${kid}"`);
  const alg = algorithmOf(key);
  if (jwks.keys.filter((k) => algorithmOf(k) === alg).length === 1) {
    throw new CliError(`"${kid}" is the only ${alg} key: without it the provider cannot sign ${alg} tokens (rotate in a new key first)`);
  }
  if (signerOf(jwks.keys, alg) === key) {
    throw new CliError(`"${kid}" is the current ${alg} signer: retire only keys that 'keys rotate' has replaced`);
  }
  return { ...jwks, keys: jwks.keys.filter((k) => k !== key) };
}
