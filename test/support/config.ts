import { expect } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/index.js';

/** The problems loadConfig reports for `env` (none: []), asserting they come as a ConfigError. */
export function configProblems(env: Record<string, string | undefined>, cwd: string): string[] {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

/**
 * The least a production configuration needs to load (the keys are shapes, not usable keys): for
 * tests of what production accepts or refuses, without starting anything.
 */
export const PRODUCTION_CONFIG_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  ISSUER: 'https://id.example.com',
  REDIS_URL: 'redis://127.0.0.1:6379',
  COOKIE_KEYS: 'k'.repeat(40),
  JWKS: JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' }] }),
  TRUST_PROXY: 'true',
};
