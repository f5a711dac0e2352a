/**
 * The only module that reads process.env (and the files it names). It validates everything
 * once, at start, and reports every problem with the variable's name, so an operator fixes a
 * deployment in one pass instead of one restart per mistake.
 *
 * Each topic reads its own variables in a file of this folder (server, storage, keys, clients,
 * lifetimes, protocol, security, chain) with the readers of readers.ts; this file assembles
 * them and checks what spans topics.
 */
import type { NetworkName } from '../evrmore/network.js';
import { readChain, type ChainSettings } from './chain.js';
import { readClientSettings, type ClientSettings } from './clients.js';
import { readKeys, type KeySettings } from './keys.js';
import { readLifetimes, type Lifetimes } from './lifetimes.js';
import { readProtocol, readRegistration, type ProtocolConfig, type RegistrationConfig } from './protocol.js';
import { envReader, type Env } from './readers.js';
import { readSecurity, type SecuritySettings } from './security.js';
import { readServer, type ServerSettings } from './server.js';
import { readStorage, type StorageSettings } from './storage.js';

export { ACCOUNT_CLIENT_ID, type ChainConfig } from './chain.js';
export { DEVICE_CODE_GRANT, type ClientMetadata } from './clients.js';
export { signerKeyFromEnv, type JsonWebKeySet } from './keys.js';
export type { OutboundPolicy } from './outbound-allow.js';
export type { ProtocolConfig, RegistrationConfig, ResourceServer } from './protocol.js';
export type { Env } from './readers.js';
export type { RateLimit, SecurityConfig } from './security.js';

export interface Config extends ServerSettings, StorageSettings, KeySettings, ClientSettings, SecuritySettings, ChainSettings {
  env: 'production' | 'development' | 'test';
  network: NetworkName;
  emailDomain?: string;
  demo: boolean;
  /** The sign-in page's "Sign with a development test wallet" (a key under dataDir); never in production. */
  testWallet: boolean;
  /** Lifetimes in seconds. */
  ttl: Lifetimes;
  registration: RegistrationConfig;
  protocol: ProtocolConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const EMAIL_DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const read = envReader(env, cwd);
  const { problems } = read;

  const nodeEnv = read.choice('NODE_ENV', ['production', 'development', 'test'], 'development');
  const production = nodeEnv === 'production';
  const server = readServer(read, production);
  const storage = readStorage(read, production);
  const keys = readKeys(read, production);
  const clients = readClientSettings(read);
  const network = read.choice('EVRMORE_NETWORK', ['mainnet', 'testnet'], 'mainnet');
  const ttl = readLifetimes(read);

  const emailDomain = read.text('EMAIL_DOMAIN');
  if (emailDomain && !EMAIL_DOMAIN.test(emailDomain)) {
    problems.push(`EMAIL_DOMAIN must be a domain name such as evrmore.example.com (got "${emailDomain}")`);
  }

  const config: Config = {
    env: nodeEnv,
    ...server,
    ...storage,
    ...keys,
    ...clients,
    network,
    ...(emailDomain ? { emailDomain } : {}),
    demo: read.boolean('DEMO', !production),
    testWallet: read.boolean('TEST_WALLET', !production),
    ttl,
    registration: readRegistration(read),
    ...readSecurity(read, production),
    protocol: readProtocol(read),
    ...readChain(read, clients.clients),
  };
  if (production && config.demo) problems.push('DEMO must be off in production: the demo client is for trying the product locally');
  if (production && config.testWallet)
    problems.push('TEST_WALLET must be off in production: its key lies on the server, so anyone could sign in as its address');
  // This server speaks plain HTTP, so an https issuer means TLS ends at a proxy in front; without
  // trusting its X-Forwarded-Proto the provider's cookies would lose their Secure flag.
  if (production && config.issuer.protocol === 'https:' && !config.trustProxy && !problems.some((p) => p.startsWith('TRUST_PROXY'))) {
    problems.push(
      'TRUST_PROXY must be true in production with an https ISSUER: TLS ends at the reverse proxy in front, and cookies are marked Secure only when its X-Forwarded-Proto is trusted',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
