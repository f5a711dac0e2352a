/**
 * Keys and cookies: the keys that sign cookies (COOKIE_KEYS) and tokens (JWKS or JWKS_FILE),
 * how often a key file is checked for changes, and the operator's test-wallet key of the CLI.
 * Outside production the cookie and token keys may be absent: dev-secrets.ts generates them.
 */
import { z } from 'zod';
import { algorithmOf, signerAt, SIGNS_FROM } from '../keys.js';
import { parseJson, type Env, type EnvReader } from './readers.js';

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

export interface KeySettings {
  /** Absent outside production: generated and kept under dataDir. */
  cookieKeys?: string[];
  /** Absent outside production: generated and kept under dataDir. */
  jwks?: JsonWebKeySet;
  /** JWKS_FILE as given: watched, with CLIENTS_FILE, for changes (src/reload.ts). */
  jwksFile?: string;
  /** Seconds between checks of JWKS_FILE and CLIENTS_FILE for changes; 0: never (restart to apply). */
  configWatchInterval: number;
}

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), d: z.string().optional() })).min(1),
});

export function readKeys(read: EnvReader, production: boolean): KeySettings {
  const { problems } = read;
  const cookieKeyList = read.list('COOKIE_KEYS');
  const cookieKeys = cookieKeyList.length > 0 ? cookieKeyList : undefined;
  if (cookieKeys?.some((k) => k.length < 32)) {
    problems.push('COOKIE_KEYS: every key must be at least 32 random characters (comma-separated; the first signs, the rest still verify)');
  }
  if (production && !cookieKeys)
    problems.push('COOKIE_KEYS is required in production: at least one key of >= 32 random characters (e.g. `openssl rand -base64 48`)');

  const value = read.text('JWKS');
  const file = read.text('JWKS_FILE');
  const jwks = readJwks(read, value, file);
  if (production && !jwks && !value && !file)
    problems.push('JWKS or JWKS_FILE is required in production: configured signing keys (see `evrmore-accounts keys generate`)');

  return {
    ...(cookieKeys ? { cookieKeys } : {}),
    ...(jwks ? { jwks } : {}),
    ...(file && !value ? { jwksFile: file } : {}),
    // Short enough that a change reaches every instance within seconds, and a file this small
    // costs nothing to read that often.
    configWatchInterval: read.duration('CONFIG_WATCH_INTERVAL', 2, { max: 300, off: true }),
  };
}

function readJwks(read: EnvReader, value: string | undefined, file: string | undefined): JsonWebKeySet | undefined {
  const { problems } = read;
  if (value && file) {
    problems.push('JWKS and JWKS_FILE are both set: set one');
    return undefined;
  }
  const raw = value ? parseJson(value, 'JWKS', problems) : file ? read.jsonFile('JWKS_FILE', file) : undefined;
  if (raw === undefined) return undefined;
  const name = value ? 'JWKS' : 'JWKS_FILE';
  const parsed = jwksSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(`${name} must be a JSON Web Key Set with at least one key: {"keys":[...]}`);
    return undefined;
  }
  if (parsed.data.keys.some((k) => k.d === undefined)) {
    problems.push(`${name} must hold private signing keys (a key without "d" cannot sign)`);
    return undefined;
  }
  if (parsed.data.keys.some((k) => k[SIGNS_FROM] !== undefined && typeof k[SIGNS_FROM] !== 'number')) {
    problems.push(`${name}: "${SIGNS_FROM}" must be a time in seconds since the epoch (written by \`keys rotate\`)`);
    return undefined;
  }
  const now = Date.now() / 1000;
  if (!parsed.data.keys.some((k) => signerAt(parsed.data.keys, algorithmOf(k), now) === k)) {
    problems.push(`${name} has no key that signs now, only staged ones: promote one (\`keys promote --kid KID\`)`);
    return undefined;
  }
  return parsed.data as JsonWebKeySet;
}

/**
 * The private key (WIF) of `evrmore-accounts sign`, the operator's test wallet. It is taken from
 * the environment or standard input only, never from argv, which shell history and `ps` keep.
 */
export function signerKeyFromEnv(env: Env = process.env): string | undefined {
  const value = env.EVRMORE_WIF?.trim();
  return value ? value : undefined;
}
