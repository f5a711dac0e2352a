/**
 * The only module that reads process.env (and the files it names). It validates everything
 * once, at start, and reports every problem with the variable's name, so an operator fixes a
 * deployment in one pass instead of one restart per mistake.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isNetworkName, type NetworkName } from '../evrmore/network.js';
import { parseDuration } from '../duration.js';
import { parseRedisUrl, type RedisTarget } from '../store/redis-target.js';
import { EMPTY_RULES, parseRules, type ChainRules } from '../chain/rules.js';
import { CHAIN_CLIENT_METADATA, clientRuleProblem } from '../chain/client-rules.js';
import { parseOutboundAllow, type OutboundPolicy } from '../security/outbound.js';
import { isLogoDataUri, MAX_LOGO_BYTES } from '../oidc/client-logo.js';
import { algorithmOf, signerAt, SIGNS_FROM } from '../keys.js';

/** RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

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
  /** JWKS_FILE as given: watched, with CLIENTS_FILE, for changes (src/reload.ts). */
  jwksFile?: string;
  /** Seconds between checks of JWKS_FILE and CLIENTS_FILE for changes; 0: never (restart to apply). */
  configWatchInterval: number;
  network: NetworkName;
  /** Trust X-Forwarded-* from the reverse proxy in front (needed behind TLS termination). */
  trustProxy: boolean;
  // Security (SECURITY.md): read by readSecurityConfig at the end of this file.
  /** How many reverse proxies append to X-Forwarded-For (read from the right; with TRUST_PROXY only). */
  trustProxyHops: number;
  security: SecurityConfig;
  emailDomain?: string;
  demo: boolean;
  /** The sign-in page's "Sign with a development test wallet" (a key under dataDir); never in production. */
  testWallet: boolean;
  dataDir: string;
  logLevel: string;
  /** LOG_FORMAT; absent: readable lines in a development terminal, JSON otherwise (server.ts decides). */
  logFormat?: 'json' | 'pretty';
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

  // Deployment (docs/deploying.md): Redis topology, dynamic client registration, shutdown. Read by
  // readDeploymentConfig at the end of this file.
  /** REDIS_URL parsed: one server, Sentinel or Cluster. Absent with the in-memory store. */
  redis?: RedisTarget;
  registration: RegistrationConfig;
  /** Seconds that SIGTERM waits for requests in flight before the process exits anyway. */
  shutdownTimeout: number;
  /** Seconds an idle HTTP/1.1 keep-alive connection stays open. */
  keepAliveTimeout: number;
  /** Seconds a client has to send a whole request (headers and body), and its headers alone. */
  requestTimeout: number;
  headersTimeout: number;

  // OpenID Connect breadth (docs/oidc-features.md): read by readProtocolConfig at the end of this file.
  protocol: ProtocolConfig;

  // Chain claims and the account page (docs/chain-claims.md): read by readChainConfig at the end of this file.
  /** Absent: no Evrmore node configured; asset and tag claims, groups and access rules are off. */
  chain?: ChainConfig;
  /** The account page at /account, signed in through its own first-party client "account". */
  accountPage: boolean;
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
  // Absent or empty for device-flow-only clients (RFC 8628); readClients checks the rest.
  redirect_uris: z.array(z.string()).optional(),
  first_party: z.boolean().optional(),
  require_pkce: z.boolean().optional(),
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
  const issuerHasScheme = issuerText !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(issuerText);
  if (issuerText && !issuerHasScheme) {
    // "localhost:3000" parses as a URL of scheme "localhost:" and path "3000": say what is meant.
    problems.push(URL.canParse(`http://${issuerText}`)
      ? `ISSUER must start with http:// or https:// (got "${issuerText}"; did you mean http://${issuerText}?)`
      : `ISSUER is not a URL: "${issuerText}"`);
  } else if (issuerText) {
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
  if (production && issuerText && issuerHasScheme && issuer.protocol !== 'https:') {
    problems.push(`ISSUER must be https in production (got ${issuer.protocol.replace(':', '')}): tokens and cookies must never travel in clear`);
  }

  const redisUrl = get('REDIS_URL');
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
    return name ? durationSetting(get(name), name, fallback, problems) : fallback;
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
    jwksFile: get('JWKS') ? undefined : get('JWKS_FILE'),
    // Short enough that a change reaches every instance within seconds, and a file this small
    // costs nothing to read that often.
    configWatchInterval: durationSetting(get('CONFIG_WATCH_INTERVAL'), 'CONFIG_WATCH_INTERVAL', 2, problems, { max: 300, off: true }),
    network,
    trustProxy: boolean(get('TRUST_PROXY'), 'TRUST_PROXY', false, problems),
    emailDomain,
    demo: boolean(get('DEMO'), 'DEMO', !production, problems),
    testWallet: boolean(get('TEST_WALLET'), 'TEST_WALLET', !production, problems),
    dataDir: resolve(cwd, get('DATA_DIR') ?? '.data'),
    logLevel: get('LOG_LEVEL') ?? 'info',
    logFormat: logFormat(get('LOG_FORMAT'), problems),
    ttl,
    challengeMaxAttempts: integer(get('CHALLENGE_MAX_ATTEMPTS'), 'CHALLENGE_MAX_ATTEMPTS', 5, 1, 100, problems),
    ...readDeploymentConfig(get, redisUrl, problems),
    ...readSecurityConfig(get, production, problems),
    protocol: readProtocolConfig(get, cwd, problems),
    ...readChainConfig(get, cwd, clients, problems),
  };
  if (production && config.demo) problems.push('DEMO must be off in production: the demo client is for trying the product locally');
  if (production && config.testWallet) problems.push('TEST_WALLET must be off in production: its key lies on the server, so anyone could sign in as its address');
  // This server speaks plain HTTP, so an https issuer means TLS ends at a proxy in front; without
  // trusting its X-Forwarded-Proto the provider's cookies would lose their Secure flag.
  if (production && config.issuer.protocol === 'https:' && !config.trustProxy && !problems.some((p) => p.startsWith('TRUST_PROXY'))) {
    problems.push('TRUST_PROXY must be true in production with an https ISSUER: TLS ends at the reverse proxy in front, and cookies are marked Secure only when its X-Forwarded-Proto is trusted');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function logFormat(text: string | undefined, problems: string[]): 'json' | 'pretty' | undefined {
  if (text === undefined || text === 'json' || text === 'pretty') return text;
  problems.push(`LOG_FORMAT must be json or pretty (got "${text}")`);
  return undefined;
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

/**
 * A duration variable: seconds, or a number with s, m, h or d. Unset: `fallback`. With `off`,
 * "off", "false" or "0" mean 0 (the feature is off). Malformed or out of [min, max]: a problem
 * naming the variable and its value.
 */
function durationSetting(
  text: string | undefined,
  name: string,
  fallback: number,
  problems: string[],
  options: { min?: number; max?: number; off?: boolean } = {},
): number {
  if (text === undefined) return fallback;
  const { min = 1, max = Infinity, off = false } = options;
  if (off && OFF.test(text)) return 0;
  const seconds = parseDuration(text);
  if (seconds !== undefined && seconds >= min && seconds <= max) return seconds;
  const range = max === Infinity && min === 1 ? 'a positive duration' : `a duration from ${min}s to ${max}s`;
  problems.push(`${name} must be ${range}: seconds, or a number with s, m, h or d${off ? ', or "off"' : ''} (got "${text}")`);
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
    const grants = Array.isArray(client['grant_types']) ? client['grant_types'] : ['authorization_code'];
    if (!client.redirect_uris?.length && grants.includes('authorization_code')) {
      problems.push(`CLIENTS_FILE (${file}): client "${client.client_id}" needs at least one redirect_uri, or is a device client (grant_types ["${DEVICE_CODE_GRANT}"], response_types [])`);
    }
    const logo = client['logo_uri'];
    if (typeof logo === 'string' && logo.startsWith('data:') && !isLogoDataUri(logo)) {
      problems.push(`CLIENTS_FILE (${file}): client "${client.client_id}" has a logo_uri data: URI that is not a base64 PNG, JPEG, GIF, WebP or SVG image of at most ${MAX_LOGO_BYTES / 1024} KiB`);
    }
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

// ---------------------------------------------------------------------------------------------
// Deployment (docs/deploying.md): Redis topology, dynamic client registration, graceful shutdown.

/**
 * Dynamic client registration (RFC 7591) with its management protocol (RFC 7592).
 * `off`: no registration endpoint. `token`: registering needs the initial access token
 * (RFC 7591 §3: the endpoint "MAY be protected" by one; we require it unless told otherwise).
 * `open`: anyone may register a client, which then still needs each user's consent.
 */
export interface RegistrationConfig {
  mode: 'off' | 'token' | 'open';
  /** With mode token: the one shared token; absent: per-partner tokens in Redis (src/oidc/registration-tokens.ts). */
  initialAccessToken?: string;
}

function readDeploymentConfig(
  get: (name: string) => string | undefined,
  redisUrl: string | undefined,
  problems: string[],
): Pick<Config, 'redis' | 'registration' | 'shutdownTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'headersTimeout'> {
  let redis: RedisTarget | undefined;
  const sentinelPassword = get('REDIS_SENTINEL_PASSWORD');
  if (redisUrl) {
    const parsed = parseRedisUrl(redisUrl, sentinelPassword);
    problems.push(...parsed.problems);
    redis = parsed.target;
  } else if (sentinelPassword) {
    problems.push('REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not: set REDIS_URL=redis+sentinel://…');
  }

  const modeText = (get('REGISTRATION') ?? 'off').toLowerCase();
  const mode = modeText === 'off' || modeText === 'token' || modeText === 'open' ? modeText : undefined;
  if (!mode) problems.push(`REGISTRATION must be off, token or open (got "${modeText}")`);
  const initialAccessToken = get('REGISTRATION_INITIAL_ACCESS_TOKEN');
  // Without the one shared token, each partner gets its own from `registration-tokens issue`,
  // kept in Redis so that every instance honours an issue or a revocation at once.
  if (mode === 'token' && !initialAccessToken && !redisUrl) {
    problems.push('REGISTRATION=token needs REDIS_URL for per-partner tokens (`registration-tokens issue`), or one shared REGISTRATION_INITIAL_ACCESS_TOKEN: a secret of >= 32 random characters that registering clients send as a Bearer token (or set REGISTRATION=open to let anyone register)');
  }
  if (initialAccessToken && initialAccessToken.length < 32) {
    problems.push('REGISTRATION_INITIAL_ACCESS_TOKEN must be at least 32 random characters (e.g. `openssl rand -base64 48`)');
  }
  if (initialAccessToken && mode !== 'token') {
    // Refuse rather than ignore: an operator who set a token believes registration is protected.
    problems.push(`REGISTRATION_INITIAL_ACCESS_TOKEN is set but REGISTRATION is ${mode ?? modeText}: set REGISTRATION=token to require it`);
  }

  const shutdownTimeout = durationSetting(get('SHUTDOWN_TIMEOUT'), 'SHUTDOWN_TIMEOUT', 8, problems, { max: 600 });
  // Longer than the idle timeout of the load balancers in front (60 s on most), so that they,
  // not we, close an idle connection: closing one just as the balancer reuses it fails that
  // request (a 502). Node's own default is 5 s.
  const keepAliveTimeout = durationSetting(get('HTTP_KEEP_ALIVE_TIMEOUT'), 'HTTP_KEEP_ALIVE_TIMEOUT', 65, problems, { max: 3600 });
  // A client that trickles its request (slowloris: a byte every few seconds) would otherwise
  // hold its connection for Node's 300 s; every request here is at most 64 KiB. The event
  // stream is a response, not a request, and is not cut by these.
  const requestTimeout = durationSetting(get('HTTP_REQUEST_TIMEOUT'), 'HTTP_REQUEST_TIMEOUT', 30, problems, { max: 600 });
  const headersTimeout = durationSetting(get('HTTP_HEADERS_TIMEOUT'), 'HTTP_HEADERS_TIMEOUT', 10, problems, { max: 600 });
  if (headersTimeout > requestTimeout) {
    problems.push(`HTTP_HEADERS_TIMEOUT (${headersTimeout}s) must not be longer than HTTP_REQUEST_TIMEOUT (${requestTimeout}s): the headers are part of the request`);
  }

  return {
    redis,
    registration: { mode: mode ?? 'off', ...(mode === 'token' && initialAccessToken ? { initialAccessToken } : {}) },
    shutdownTimeout,
    keepAliveTimeout,
    requestTimeout,
    headersTimeout,
  };
}

// ---------------------------------------------------------------------------------------------
// Security (SECURITY.md): rate limits, failure alerts and lock-out, metrics, CORS, proxy hops.

/** A rate limit: at most `points` requests per `durationSeconds` and key. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** The protections of the security document (see SECURITY.md); each tunable, each on by default. */
export interface SecurityConfig {
  /** Absent: that limit is off. */
  rateLimits: {
    /** Sign-in pages opened and new texts asked for, per client IP. */
    challenge?: RateLimit;
    /** Signature submissions (login form, wallet URL, continue) and device-flow user codes, per client IP. */
    signinPerIp?: RateLimit;
    /** Token and device-authorization endpoint requests, per client IP. */
    token?: RateLimit;
    /** Dynamic client registration requests, per client IP. */
    registration?: RateLimit;
    /** Authorization requests (GET /auth) and pushed authorization requests, per client IP. */
    authorization?: RateLimit;
    /** Sign-in status polls (the login page's fallback for its event stream), per client IP. */
    status?: RateLimit;
    /** Wrong device-flow user codes entered on the whole service (RFC 8628 §5.1), from any IP. */
    userCodeGuesses?: RateLimit;
  };
  /** Open sign-in event streams at once, per client IP and per instance in total. */
  eventStreams: { perIp: number; total: number };
  failures: {
    /** Failed sign-ins from one IP, or naming one address, within the window that raise the alert. */
    threshold: number;
    windowSeconds: number;
    /** How long an IP that reached the threshold may not sign in; 0: alert only. */
    lockoutSeconds: number;
    /** Where alerts are POSTed as JSON. */
    webhookUrl?: string;
  };
  /** The bearer token that /metrics requires; absent: /metrics is open (restrict it at the network). */
  metricsToken?: string;
  /**
   * A separate listener for /metrics (and /healthz, /readyz), off the public port; absent: served
   * on the public port, which in production needs metricsToken.
   */
  metricsListener?: { host: string; port: number };
  /** RFC 9116 security.txt; absent without SECURITY_CONTACT. */
  securityTxt?: { contact: string[]; policy?: string };
  /** Origins besides each client's own that may call the token, userinfo, revocation and introspection endpoints from a browser. */
  corsOrigins: string[];
}

const OFF = /^(off|false|0)$/i;

function readSecurityConfig(
  get: (name: string) => string | undefined,
  production: boolean,
  problems: string[],
): Pick<Config, 'trustProxyHops' | 'security'> {
  const rateLimit = (name: string, fallback: RateLimit): RateLimit | undefined => {
    const text = get(name);
    if (text === undefined) return fallback;
    if (OFF.test(text)) return undefined;
    const match = /^(\d{1,7})\s*\/\s*(.+)$/.exec(text);
    const seconds = match ? parseDuration(match[2]!) : undefined;
    if (!match || Number(match[1]) < 1 || seconds === undefined || seconds < 1) {
      problems.push(`${name} must be "N/DURATION" (at most N requests per DURATION, e.g. 20/1m or 300/1h) or "off" (got "${text}")`);
      return fallback;
    }
    return { points: Number(match[1]), durationSeconds: seconds };
  };
  const seconds = (name: string, fallback: number, allowOff: boolean): number =>
    durationSetting(get(name), name, fallback, problems, { off: allowOff });
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = get(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
      return fallback;
    }
    return Number(text);
  };

  // A limit per address is gone for good: it let anyone keep an address's owner out by
  // posting wrong signatures naming it (SECURITY.md, "Repeated failures"). An operator who set
  // it expects a protection that no longer exists, so say so instead of ignoring it.
  if (get('RATE_LIMIT_SIGNIN_ADDRESS') !== undefined) {
    problems.push('RATE_LIMIT_SIGNIN_ADDRESS no longer exists: a limit per address let anyone keep its owner from signing in. Remove it; RATE_LIMIT_SIGNIN_IP and CHALLENGE_MAX_ATTEMPTS bound the attempts, and FAILURE_ALERT_THRESHOLD alerts on failures naming one address');
  }

  const webhookUrl = get('ALERT_WEBHOOK_URL');
  if (webhookUrl) {
    const parsed = URL.canParse(webhookUrl) ? new URL(webhookUrl) : undefined;
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      problems.push('ALERT_WEBHOOK_URL must be an http(s) URL that accepts a JSON POST');
    } else if (production && parsed.protocol !== 'https:') {
      problems.push('ALERT_WEBHOOK_URL must be https in production: alerts name client IPs and addresses');
    }
  }

  const metricsToken = get('METRICS_TOKEN');
  const metricsPortText = get('METRICS_PORT');
  let metricsListener: SecurityConfig['metricsListener'];
  if (metricsPortText !== undefined) {
    const port = Number(metricsPortText);
    if (!/^\d+$/.test(metricsPortText) || port < 1 || port > 65535) problems.push(`METRICS_PORT must be a port number from 1 to 65535 (got "${metricsPortText}")`);
    else if (port === Number(get('PORT') ?? 3000)) problems.push(`METRICS_PORT must differ from PORT (${port}): metrics get a listener of their own`);
    else metricsListener = { host: get('METRICS_HOST') ?? get('HOST') ?? '127.0.0.1', port };
  } else if (get('METRICS_HOST') !== undefined) {
    problems.push('METRICS_HOST is set but METRICS_PORT is not: set METRICS_PORT for the metrics listener');
  }
  const securityContact = (get('SECURITY_CONTACT') ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const contact of securityContact) {
    // RFC 9116 §2.5.3: a URI; mailto:, https: or tel:.
    if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+|tel:\+?[0-9-]+)$/.test(contact)) {
      problems.push(`SECURITY_CONTACT: "${contact}" must be a mailto:, https:// or tel: URI (RFC 9116 §2.5.3), e.g. mailto:security@example.com`);
    }
  }
  const securityPolicy = get('SECURITY_POLICY_URL');
  if (securityPolicy !== undefined && !/^https:\/\/\S+$/.test(securityPolicy)) problems.push(`SECURITY_POLICY_URL must be an https:// URL (got "${securityPolicy}")`);
  if (securityPolicy !== undefined && securityContact.length === 0) problems.push('SECURITY_POLICY_URL is set but SECURITY_CONTACT is not: security.txt needs a contact (RFC 9116 §2.5.3)');
  if (metricsToken !== undefined && metricsToken.length < 32) {
    problems.push('METRICS_TOKEN must be at least 32 random characters (e.g. `openssl rand -hex 32`); Prometheus sends it as a bearer token');
  }

  const corsOrigins: string[] = [];
  for (const entry of (get('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
    const parsed = URL.canParse(entry) ? new URL(entry) : undefined;
    // An origin is scheme, host and port only (RFC 6454 §6.2): it must equal the browser's
    // Origin header, so anything more could never match.
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== entry.replace(/\/$/, '')) {
      problems.push(`CORS_ORIGINS: "${entry}" is not an origin such as https://app.example.com (scheme, host and port only; "*" is not allowed)`);
      continue;
    }
    corsOrigins.push(parsed.origin);
  }

  return {
    trustProxyHops: whole('TRUST_PROXY_HOPS', 1, 1, 10),
    security: {
      rateLimits: {
        challenge: rateLimit('RATE_LIMIT_CHALLENGE', { points: 30, durationSeconds: 60 }),
        signinPerIp: rateLimit('RATE_LIMIT_SIGNIN_IP', { points: 20, durationSeconds: 60 }),
        token: rateLimit('RATE_LIMIT_TOKEN', { points: 300, durationSeconds: 60 }),
        registration: rateLimit('RATE_LIMIT_REGISTRATION', { points: 10, durationSeconds: 3600 }),
        // Generous: everyone of an office behind one NAT opens sign-ins from the same address.
        authorization: rateLimit('RATE_LIMIT_AUTHORIZATION', { points: 300, durationSeconds: 60 }),
        // A waiting login page polls once a second when it has no event stream.
        status: rateLimit('RATE_LIMIT_STATUS', { points: 600, durationSeconds: 60 }),
        // Guessing a user code from many IPs at once: 300 wrong codes in 10 minutes across the
        // service leave a live code among 20^8 unguessed (RFC 8628 §5.1).
        userCodeGuesses: rateLimit('RATE_LIMIT_USER_CODE_GUESSES', { points: 300, durationSeconds: 600 }),
      },
      eventStreams: {
        perIp: whole('EVENT_STREAMS_PER_IP', 20, 1, 100_000),
        total: whole('EVENT_STREAMS_MAX', 1000, 1, 1_000_000),
      },
      failures: {
        threshold: whole('FAILURE_ALERT_THRESHOLD', 10, 1, 1_000_000),
        windowSeconds: seconds('FAILURE_WINDOW', 15 * 60, false),
        // Short outside production, where a developer's own typos are what locks them out.
        lockoutSeconds: seconds('FAILURE_LOCKOUT', production ? 15 * 60 : 60, true),
        webhookUrl,
      },
      metricsToken,
      ...(metricsListener ? { metricsListener } : {}),
      ...(securityContact.length > 0 ? { securityTxt: { contact: securityContact, ...(securityPolicy ? { policy: securityPolicy } : {}) } } : {}),
      corsOrigins,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenID Connect breadth (docs/oidc-features.md): pairwise subjects, resource servers, device flow.

/** An API that gets JWT access tokens through a resource indicator (RFC 8707, RFC 9068). */
export interface ResourceServer {
  /** The resource indicator: an absolute URI without fragment (RFC 8707 §2). */
  resource: string;
  /** Scopes the API defines. */
  scopes: string[];
  /** `aud` of its tokens; the resource indicator when absent. */
  audience?: string;
  /** Access-token lifetime for this API, seconds. */
  accessTokenTtl?: number;
  /** Clients that may ask for it; any client when absent. */
  clients?: string[];
}

export interface ProtocolConfig {
  /** Secret salt of pairwise subject identifiers (OIDC Core §8.1); generated in development. */
  pairwiseSalt?: string;
  resourceServers: ResourceServer[];
  /** Lifetime of a device code and its user code (RFC 8628 §3.2), seconds. */
  deviceCodeTtl: number;
  /**
   * Lifetime of a JWT access token for an API without its own accessTokenTtl, seconds. Short:
   * nothing can revoke a JWT (docs/oidc-features.md, "How long a token outlives a revoke").
   */
  jwtAccessTokenTtl: number;
  /**
   * Seconds after a refresh token was rotated in which presenting it again gets the current
   * token instead of revoking the grant (relying parties that refresh in parallel); 0: never.
   */
  refreshTokenReuseInterval: number;
  /**
   * Private hosts and networks that the provider's own outbound calls (back-channel logout,
   * sector_identifier_uri, jwks_uri of clients) may reach (OUTBOUND_ALLOW); link-local and
   * cloud metadata addresses never (src/security/outbound.ts).
   */
  outbound: OutboundPolicy;
}

const resourceServersSchema = z.array(z.strictObject({
  resource: z.string().refine((value) => {
    try {
      const url = new URL(value);
      return !url.hash;
    } catch {
      return false;
    }
  }, 'resource must be an absolute URI without a fragment (RFC 8707 §2)'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope is printable ASCII without space, " or \\ (RFC 6749 §3.3)')).min(1),
  audience: z.string().min(1).optional(),
  accessTokenTtl: z.number().int().positive().optional(),
  clients: z.array(z.string()).optional(),
}));

function readProtocolConfig(get: (name: string) => string | undefined, cwd: string, problems: string[]): ProtocolConfig {
  const pairwiseSalt = get('PAIRWISE_SALT');
  if (pairwiseSalt !== undefined && pairwiseSalt.length < 32) {
    problems.push('PAIRWISE_SALT must be at least 32 random characters: it keeps pairwise subject identifiers unlinkable (OIDC Core §8.1)');
  }
  let resourceServers: ResourceServer[] = [];
  const file = get('RESOURCE_SERVERS_FILE');
  if (file) {
    const raw = readJson(file, cwd, 'RESOURCE_SERVERS_FILE', problems);
    if (raw !== undefined) {
      const parsed = resourceServersSchema.safeParse(raw);
      if (parsed.success) resourceServers = parsed.data;
      else for (const issue of parsed.error.issues) problems.push(`RESOURCE_SERVERS_FILE (${file}) at ${issue.path.join('.') || 'top level'}: ${issue.message}`);
    }
  }
  const deviceCodeTtl = durationSetting(get('DEVICE_CODE_TTL'), 'DEVICE_CODE_TTL', 10 * 60, problems);
  const jwtAccessTokenTtl = durationSetting(get('JWT_ACCESS_TOKEN_TTL'), 'JWT_ACCESS_TOKEN_TTL', 5 * 60, problems);
  // The old switch lifted every SSRF check; its replacement names what may be reached.
  if (boolean(get('OUTBOUND_PRIVATE_NETWORK'), 'OUTBOUND_PRIVATE_NETWORK', false, problems)) {
    problems.push('OUTBOUND_PRIVATE_NETWORK=true is replaced by OUTBOUND_ALLOW: list the private hosts or networks the provider may call, e.g. OUTBOUND_ALLOW=rp.internal,10.0.0.0/8 (link-local and cloud metadata addresses stay refused)');
  }
  const outbound = parseOutboundAllow(get('OUTBOUND_ALLOW'));
  problems.push(...outbound.problems);
  // A grace window, not a second lifetime: at most a minute (docs/oidc-features.md).
  const refreshTokenReuseInterval = durationSetting(get('REFRESH_TOKEN_REUSE_INTERVAL'), 'REFRESH_TOKEN_REUSE_INTERVAL', 10, problems, { max: 60, off: true });
  return { pairwiseSalt, resourceServers, deviceCodeTtl, jwtAccessTokenTtl, refreshTokenReuseInterval, outbound: outbound.policy };
}

// ---------------------------------------------------------------------------------------------
// Chain claims and the account page (docs/chain-claims.md).

export interface ChainConfig {
  /** The node's JSON-RPC endpoint, without credentials. */
  rpcUrl: URL;
  rpcAuth: { user: string; password: string } | { cookieFile: string };
  rpcTimeoutMs: number;
  /** Seconds an address's holdings are reused; 0: every read asks the node. */
  cacheTtl: number;
  rules: ChainRules;
  rulesFile?: string;
}

/** The account page's own client id: reserved while the account page is on. */
export const ACCOUNT_CLIENT_ID = 'account';

function readChainConfig(
  get: (name: string) => string | undefined,
  cwd: string,
  clients: ClientMetadata[],
  problems: string[],
): Pick<Config, 'chain' | 'accountPage'> {
  const result = readChainSettings(get, cwd, clients, problems);
  // Access rules in the clients file are checked here too, so that `config check` reports them
  // (the provider checks them again, for registered clients as well).
  for (const client of clients) {
    for (const key of CHAIN_CLIENT_METADATA) {
      const problem = clientRuleProblem(key, client[key], result.chain?.rules);
      if (problem) problems.push(`CLIENTS_FILE: client "${client.client_id}": ${problem}`);
    }
  }
  return result;
}

function readChainSettings(
  get: (name: string) => string | undefined,
  cwd: string,
  clients: ClientMetadata[],
  problems: string[],
): Pick<Config, 'chain' | 'accountPage'> {
  const accountPage = boolean(get('ACCOUNT_PAGE'), 'ACCOUNT_PAGE', true, problems);
  if (accountPage && clients.some((c) => c.client_id === ACCOUNT_CLIENT_ID)) {
    problems.push(`CLIENTS_FILE: client_id "${ACCOUNT_CLIENT_ID}" is reserved for the account page at /account; rename that client, or set ACCOUNT_PAGE=false`);
  }

  const urlText = get('EVRMORE_RPC_URL');
  const dependents = ['EVRMORE_RPC_USER', 'EVRMORE_RPC_PASSWORD', 'EVRMORE_RPC_COOKIE_FILE', 'EVRMORE_RPC_TIMEOUT', 'CHAIN_CACHE_TTL', 'CHAIN_RULES_FILE'];
  if (!urlText) {
    // Without a node the chain features are off, and a setting that only makes sense with one
    // is a mistake worth hearing about rather than a silent no-op.
    for (const name of dependents) if (get(name) !== undefined) problems.push(`${name} is set but EVRMORE_RPC_URL is not: set EVRMORE_RPC_URL to the Evrmore node's JSON-RPC address, e.g. http://127.0.0.1:8819`);
    return { accountPage };
  }

  let rpcUrl: URL | undefined;
  if (!URL.canParse(urlText)) {
    problems.push(`EVRMORE_RPC_URL is not a URL (expected e.g. http://127.0.0.1:8819)`);
  } else {
    rpcUrl = new URL(urlText);
    if (rpcUrl.protocol !== 'http:' && rpcUrl.protocol !== 'https:') problems.push(`EVRMORE_RPC_URL must be http:// or https:// (got ${rpcUrl.protocol.replace(':', '')})`);
    // Credentials in a URL end up in logs and process listings; they have their own variables.
    if (rpcUrl.username || rpcUrl.password) problems.push('EVRMORE_RPC_URL must not hold credentials: set EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD, or EVRMORE_RPC_COOKIE_FILE');
    if (rpcUrl.search || rpcUrl.hash) problems.push('EVRMORE_RPC_URL must not have a query or fragment');
  }

  const user = get('EVRMORE_RPC_USER');
  const password = get('EVRMORE_RPC_PASSWORD');
  const cookieFile = get('EVRMORE_RPC_COOKIE_FILE');
  let rpcAuth: ChainConfig['rpcAuth'] | undefined;
  if (cookieFile && (user || password)) {
    problems.push('EVRMORE_RPC_COOKIE_FILE and EVRMORE_RPC_USER/EVRMORE_RPC_PASSWORD are both set: use one (the cookie file, or rpcuser and rpcpassword of evrmore.conf)');
  } else if (cookieFile) {
    rpcAuth = { cookieFile: resolve(cwd, cookieFile) };
  } else if (user && password) {
    rpcAuth = { user, password };
  } else if (user || password) {
    problems.push(`${user ? 'EVRMORE_RPC_PASSWORD' : 'EVRMORE_RPC_USER'} is missing: EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD go together (rpcuser and rpcpassword of evrmore.conf)`);
  } else {
    problems.push('EVRMORE_RPC_URL needs credentials: EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD (rpcuser and rpcpassword of evrmore.conf), or EVRMORE_RPC_COOKIE_FILE (the node\'s .cookie file)');
  }

  const seconds = (name: string, fallback: number, min: number, max: number): number =>
    durationSetting(get(name), name, fallback, problems, { min, max });
  const rpcTimeoutMs = seconds('EVRMORE_RPC_TIMEOUT', 5, 1, 60) * 1000;
  const cacheTtl = seconds('CHAIN_CACHE_TTL', 60, 0, 3600);

  const rulesFile = get('CHAIN_RULES_FILE') ?? (existsSync(resolve(cwd, 'config/chain-rules.json')) ? 'config/chain-rules.json' : undefined);
  let rules = EMPTY_RULES;
  if (rulesFile) {
    const raw = readJson(rulesFile, cwd, 'CHAIN_RULES_FILE', problems);
    if (raw !== undefined) {
      const parsed = parseRules(raw);
      if (parsed.ok) rules = parsed.rules;
      else for (const problem of parsed.problems) problems.push(`CHAIN_RULES_FILE (${rulesFile}) ${problem}`);
    }
  }

  if (!rpcUrl || !rpcAuth) return { accountPage };
  return { accountPage, chain: { rpcUrl, rpcAuth, rpcTimeoutMs, cacheTtl, rules, ...(rulesFile ? { rulesFile } : {}) } };
}
