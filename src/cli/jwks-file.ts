/**
 * The provider's signing keys (JWKS_FILE) and their order. oidc-provider signs with the first
 * key of an algorithm (its keystore sorts candidates stably, keys with explicit "alg" and "use"
 * first) and publishes all of them, so older keys keep verifying the tokens they signed.
 */
import type { JsonWebKeySet } from '../config/index.js';
import { algorithmOf, signerAt, SIGNS_FROM, type SigningAlgorithm } from '../keys.js';
import { CliError } from './context.js';
import { readJsonFile } from './files.js';

export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const satisfies readonly SigningAlgorithm[];

export type Jwk = Record<string, unknown>;

export interface KeyEntry {
  kid: string;
  alg: string;
  /** signer, verify-only, or "signs-from <time>" for a staged key with a schedule. */
  role: string;
}

export { algorithmOf };

/** The key that signs `alg` tokens now (src/keys.ts: staged keys do not). */
export function signerOf(keys: readonly Jwk[], alg: string, now = Date.now() / 1000): Jwk | undefined {
  return signerAt(keys, alg, now);
}

function role(keys: readonly Jwk[], key: Jwk, now: number): string {
  if (signerOf(keys, algorithmOf(key), now) === key) return 'signer';
  const from = key[SIGNS_FROM];
  return typeof from === 'number' && from > now
    ? `signs-from ${new Date(from * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}`
    : 'verify-only';
}

export function describeKeys(keys: readonly Jwk[], now = Date.now() / 1000): KeyEntry[] {
  return keys.map((key) => ({ kid: String(key.kid), alg: algorithmOf(key), role: role(keys, key, now) }));
}

export async function readJwksFile(path: string): Promise<JsonWebKeySet> {
  const raw = await readJsonFile(path);
  if (raw === undefined) throw new CliError(`${path} does not exist (create it with 'keys generate')`);
  const keys = (raw as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new CliError(`${path} is not a JSON Web Key Set with keys: {"keys":[...]}`);
  }
  const kids = keys.map((k: Jwk) => k.kid);
  if (kids.some((kid) => typeof kid !== 'string' || kid === '')) throw new CliError(`${path}: every key needs a "kid"`);
  const duplicate = kids.find((kid, i) => kids.indexOf(kid) !== i);
  if (duplicate !== undefined)
    throw new CliError(`${path}: kid "${String(duplicate)}" appears twice (oidc-provider refuses duplicate kids)`);
  if (keys.some((k: Jwk) => k.d === undefined))
    throw new CliError(`${path}: a key without "d" is public and cannot sign; the provider needs private keys`);
  return raw as JsonWebKeySet;
}

/** Puts `key` first in the file. */
export function rotateIn(jwks: JsonWebKeySet, key: Jwk): JsonWebKeySet {
  return { ...jwks, keys: [key, ...jwks.keys] };
}

/**
 * Makes `kid` the signer of its algorithm from `at` on (now, or a scheduled time): its
 * verify-only mark goes, and its signs_from makes it newer than the current signer, which
 * then stays published, verify-only.
 */
export function promote(jwks: JsonWebKeySet, kid: string, at: number): JsonWebKeySet {
  const key = jwks.keys.find((k) => k.kid === kid);
  if (!key) throw new CliError(`no key with kid "${kid}"`);
  const { key_ops: _ops, ...rest } = key;
  return { ...jwks, keys: jwks.keys.map((k) => (k === key ? { ...rest, [SIGNS_FROM]: Math.floor(at) } : k)) };
}

export function retire(jwks: JsonWebKeySet, kid: string): JsonWebKeySet {
  const key = jwks.keys.find((k) => k.kid === kid);
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
