/**
 * The only module that reads process.env (and the files it names). It validates everything
 * once, at start, and reports every problem with the variable's name, so an operator fixes a
 * deployment in one pass instead of one restart per mistake.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isNetworkName, type NetworkName } from './evrmore/network.js';
import { parseDuration } from './duration.js';

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

/** Client metadata as oidc-provider takes it, plus our own `first_party` flag (skips consent). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

export interface Config {
  env: 'production' | 'development' | 'test';
  issuer: URL;
  host: string;
  port: number;
  /** Absent: the embedded in-memory store (development only). */
  redisUrl?: string;
  redisKeyPrefix: string;
  /** Absent outside production: generated and kept under dataDir. */
  cookieKeys?: string[];
  /** Absent outside production: generated and kept under dataDir. */
  jwks?: JsonWebKeySet;
  clients: ClientMetadata[];
  clientsFile?: string;
  network: NetworkName;
  /** Trust X-Forwarded-* from the reverse proxy in front (needed behind TLS termination). */
  trustProxy: boolean;
  emailDomain?: string;
  demo: boolean;
  dataDir: string;
  logLevel: string;
  /** Lifetimes in seconds. */
  ttl: {
    accessToken: number;
    idToken: number;
    refreshToken: number;
    session: number;
    grant: number;
    interaction: number;
    authorizationCode: number;
    challenge: number;
  };
  challengeMaxAttempts: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const clientSchema = z.looseObject({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'client_id must be 1-128 URL-safe characters'),
  redirect_uris: z.array(z.string()).min(1, 'redirect_uris needs at least one URI'),
  first_party: z.boolean().optional(),
});
const clientsSchema = z.array(clientSchema);

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), d: z.string().optional() })).min(1),
});

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const nodeEnv = get('NODE_ENV') ?? 'development';
  if (nodeEnv !== 'production' && nodeEnv !== 'development' && nodeEnv !== 'test') {
    problems.push(`NODE_ENV must be production, development or test (got "${nodeEnv}")`);
  }
  const production = nodeEnv === 'production';

  const port = integer(get('PORT'), 'PORT', 3000, 0, 65535, problems);
  const host = get('HOST') ?? '127.0.0.1';

  let issuer = new URL(`http://localhost:${port}`);
  const issuerText = get('ISSUER');
  if (issuerText) {
    try {
      issuer = new URL(issuerText);
      if (issuer.search || issuer.hash) problems.push('ISSUER must not have a query or fragment (OIDC Discovery §4.3)');
      // Pages, the wallet URL and the provider are served from the root of the host.
      if (issuer.pathname !== '/') problems.push(`ISSUER must be the root of its host, without a path (got "${issuer.pathname}"): serve the provider on its own (sub)domain`);
      if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') problems.push('ISSUER must be an http(s) URL');
    } catch {
      problems.push(`ISSUER is not a URL: "${issuerText}"`);
    }
  } else if (production) {
    problems.push('ISSUER is required in production: the public https URL of this provider, e.g. https://id.example.com');
  }
  if (production && issuerText && issuer.protocol !== 'https:') {
    problems.push(`ISSUER must be https in production (got ${issuer.protocol.replace(':', '')}): tokens and cookies must never travel in clear`);
  }

  const redisUrl = get('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');
  if (production && !redisUrl) problems.push('REDIS_URL is required in production: the in-memory store loses every session on restart and cannot be shared between instances');

  const cookieKeys = get('COOKIE_KEYS')?.split(',').map((k) => k.trim()).filter(Boolean);
  if (cookieKeys?.some((k) => k.length < 32)) {
    problems.push('COOKIE_KEYS: every key must be at least 32 random characters (comma-separated; the first signs, the rest still verify)');
  }
  if (production && !cookieKeys) problems.push('COOKIE_KEYS is required in production: at least one key of >= 32 random characters (e.g. `openssl rand -base64 48`)');

  const jwks = readJwks(get('JWKS'), get('JWKS_FILE'), cwd, problems);
  if (production && !jwks && !get('JWKS') && !get('JWKS_FILE')) problems.push('JWKS or JWKS_FILE is required in production: configured signing keys (see `evrmore-accounts keys generate`)');

  const clientsFile = get('CLIENTS_FILE') ?? (existsSync(resolve(cwd, 'config/clients.json')) ? 'config/clients.json' : undefined);
  const clients = clientsFile ? readClients(clientsFile, cwd, problems) : [];

  const networkText = get('EVRMORE_NETWORK') ?? 'mainnet';
  if (!isNetworkName(networkText)) problems.push(`EVRMORE_NETWORK must be mainnet or testnet (got "${networkText}")`);
  const network: NetworkName = isNetworkName(networkText) ? networkText : 'mainnet';

  const duration = (names: string[], fallback: number): number => {
    const name = names.find((n) => get(n) !== undefined);
    if (!name) return fallback;
    const seconds = parseDuration(get(name)!);
    if (seconds === undefined || seconds <= 0) {
      problems.push(`${name} must be a positive duration: seconds, or a number with s, m, h or d (got "${get(name)}")`);
      return fallback;
    }
    return seconds;
  };
  // The seed product named the token lifetimes JWT_EXPIRATION and REFRESH_TOKEN_EXPIRATION;
  // operators coming from it keep their settings.
  const accessToken = duration(['ACCESS_TOKEN_TTL', 'JWT_EXPIRATION'], 3600);
  const ttl = {
    accessToken,
    idToken: duration(['ID_TOKEN_TTL'], accessToken),
    refreshToken: duration(['REFRESH_TOKEN_TTL', 'REFRESH_TOKEN_EXPIRATION'], 30 * 86400),
    session: duration(['SESSION_TTL'], 7 * 86400),
    grant: duration(['GRANT_TTL'], 30 * 86400),
    interaction: duration(['INTERACTION_TTL'], 15 * 60),
    authorizationCode: duration(['AUTHORIZATION_CODE_TTL'], 60),
    challenge: duration(['CHALLENGE_TTL'], 5 * 60),
  };
  if (ttl.challenge > ttl.interaction) {
    problems.push(`CHALLENGE_TTL (${ttl.challenge}s) must not be longer than INTERACTION_TTL (${ttl.interaction}s): a challenge cannot outlive its sign-in`);
  }
  if (ttl.grant < ttl.refreshToken) {
    problems.push(`GRANT_TTL (${ttl.grant}s) must be at least REFRESH_TOKEN_TTL (${ttl.refreshToken}s): a refresh token dies with its grant`);
  }

  const emailDomain = get('EMAIL_DOMAIN');
  if (emailDomain && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(emailDomain)) {
    problems.push(`EMAIL_DOMAIN must be a domain name such as evrmore.example.com (got "${emailDomain}")`);
  }

  const config: Config = {
    env: production ? 'production' : nodeEnv === 'test' ? 'test' : 'development',
    issuer,
    host,
    port,
    redisUrl,
    redisKeyPrefix: get('REDIS_KEY_PREFIX') ?? 'evr:',
    cookieKeys,
    jwks,
    clients,
    clientsFile,
    network,
    trustProxy: boolean(get('TRUST_PROXY'), 'TRUST_PROXY', false, problems),
    emailDomain,
    demo: boolean(get('DEMO'), 'DEMO', !production, problems),
    dataDir: resolve(cwd, get('DATA_DIR') ?? '.data'),
    logLevel: get('LOG_LEVEL') ?? 'info',
    ttl,
    challengeMaxAttempts: integer(get('CHALLENGE_MAX_ATTEMPTS'), 'CHALLENGE_MAX_ATTEMPTS', 5, 1, 100, problems),
  };
  if (production && config.demo) problems.push('DEMO must be off in production: the demo client is for trying the product locally');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
    return fallback;
  }
  return value;
}

function boolean(text: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (text === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  problems.push(`${name} must be true or false (got "${text}")`);
  return fallback;
}

function readJson(path: string, cwd: string, name: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  return parseJson(text, `${name} (${path})`, problems);
}

function parseJson(text: string, what: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${what} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

function readJwks(value: string | undefined, file: string | undefined, cwd: string, problems: string[]): JsonWebKeySet | undefined {
  if (value && file) {
    problems.push('JWKS and JWKS_FILE are both set: set one');
    return undefined;
  }
  const raw = value ? parseJson(value, 'JWKS', problems) : file ? readJson(file, cwd, 'JWKS_FILE', problems) : undefined;
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
  return parsed.data as JsonWebKeySet;
}

function readClients(file: string, cwd: string, problems: string[]): ClientMetadata[] {
  const raw = readJson(file, cwd, 'CLIENTS_FILE', problems);
  if (raw === undefined) return [];
  const parsed = clientsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`CLIENTS_FILE (${file}) at ${issue.path.join('.') || 'top level'}: ${issue.message}`);
    }
    return [];
  }
  const ids = new Set<string>();
  for (const client of parsed.data) {
    if (ids.has(client.client_id)) problems.push(`CLIENTS_FILE (${file}): client_id "${client.client_id}" appears twice`);
    ids.add(client.client_id);
  }
  return parsed.data as ClientMetadata[];
}

/**
 * The private key (WIF) of `evrmore-accounts sign`, the operator's test wallet. It is taken from
 * the environment or standard input only, never from argv, which shell history and `ps` keep.
 */
export function signerKeyFromEnv(env: Env = process.env): string | undefined {
  const value = env['EVRMORE_WIF']?.trim();
  return value ? value : undefined;
}
