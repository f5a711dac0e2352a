import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'evr-config-'));
const strongKey = `${'k'.repeat(20)}Q9v$2mZ!x7LpR4tW`; // 36 characters
const jwks = JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' }] });
const production = {
  NODE_ENV: 'production',
  ISSUER: 'https://id.example.com',
  REDIS_URL: 'redis://127.0.0.1:6379',
  COOKIE_KEYS: strongKey,
  JWKS: jwks,
  TRUST_PROXY: 'true',
};

function problems(env: Record<string, string | undefined>): string[] {
  return configProblems(env, dir);
}

describe('configuration', () => {
  it('accepts a complete production configuration', () => {
    const config = loadConfig(production, dir);
    expect(config.env).toBe('production');
    expect(config.issuer.href).toBe('https://id.example.com/');
    expect(config.demo).toBe(false);
  });

  it('starts in development with nothing configured: memory store, demo on', () => {
    const config = loadConfig({}, dir);
    expect(config.redis).toBeUndefined();
    expect(config.demo).toBe(true);
    expect(config.issuer.href).toBe('http://localhost:3000/');
  });

  describe('refuses to start in production', () => {
    it('without an https issuer', () => {
      expect(problems({ ...production, ISSUER: 'http://id.example.com' })).toEqual([
        expect.stringMatching(/^ISSUER must be https in production/),
      ]);
      expect(problems({ ...production, ISSUER: undefined })).toEqual(
        expect.arrayContaining([expect.stringMatching(/^ISSUER is required in production/)]),
      );
    });
    it('without REDIS_URL', () => {
      expect(problems({ ...production, REDIS_URL: undefined })).toEqual([expect.stringMatching(/^REDIS_URL is required in production/)]);
    });
    it('without cookie keys, or with short ones', () => {
      expect(problems({ ...production, COOKIE_KEYS: undefined })).toEqual([
        expect.stringMatching(/^COOKIE_KEYS is required in production/),
      ]);
      expect(problems({ ...production, COOKIE_KEYS: `${strongKey},short` })).toEqual([
        expect.stringMatching(/^COOKIE_KEYS: every key must be at least 32/),
      ]);
    });
    it('without configured signing keys', () => {
      expect(problems({ ...production, JWKS: undefined })).toEqual([expect.stringMatching(/^JWKS or JWKS_FILE is required in production/)]);
    });
    it('with public-only signing keys', () => {
      expect(problems({ ...production, JWKS: JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] }) })).toEqual([
        expect.stringMatching(/private signing keys/),
      ]);
    });
    it('with the demo client on', () => {
      expect(problems({ ...production, DEMO: 'true' })).toEqual([expect.stringMatching(/^DEMO must be off in production/)]);
    });
    it('listing every problem at once', () => {
      expect(problems({ NODE_ENV: 'production' })).toHaveLength(4);
    });
  });

  it('names the variable and the value in every refusal', () => {
    expect(problems({ PORT: 'eighty' })).toEqual(['PORT must be a whole number from 0 to 65535 (got "eighty")']);
    expect(problems({ EVRMORE_NETWORK: 'ravencoin' })).toEqual(['EVRMORE_NETWORK must be mainnet or testnet (got "ravencoin")']);
    expect(problems({ REDIS_URL: 'localhost:6379' })).toEqual([
      expect.stringMatching(/^REDIS_URL must be one of redis:\/\/.*\(got no scheme\)$/),
    ]);
    expect(problems({ ISSUER: 'not a url' })).toEqual(['ISSUER is not a URL: "not a url"']);
    // Not "must be the root of its host": new URL() reads "localhost:" as the scheme.
    expect(problems({ ISSUER: 'localhost:3000' })).toEqual([
      'ISSUER must start with http:// or https:// (got "localhost:3000"; did you mean http://localhost:3000?)',
    ]);
    expect(problems({ ...production, ISSUER: 'id.example.com' })).toEqual([
      'ISSUER must start with http:// or https:// (got "id.example.com"; did you mean http://id.example.com?)',
    ]);
    expect(problems({ ISSUER: 'https://x.example/id' })).toEqual([expect.stringMatching(/^ISSUER must be the root of its host/)]);
    expect(problems({ JWKS: '{not json' })).toEqual([expect.stringMatching(/^JWKS is not valid JSON/)]);
    expect(problems({ JWKS_FILE: 'missing.json' })).toEqual(['JWKS_FILE: cannot read missing.json (ENOENT)']);
    expect(problems({ CHALLENGE_TTL: '20m' })).toEqual([
      expect.stringMatching(/^CHALLENGE_TTL \(1200s\) must not be longer than INTERACTION_TTL/),
    ]);
    expect(problems({ JWT_EXPIRATION: 'soon' })).toEqual([
      'JWT_EXPIRATION must be a positive duration: seconds, or a number with s, m, h or d (got "soon")',
    ]);
    expect(problems({ TRUST_PROXY: 'maybe' })).toEqual(['TRUST_PROXY must be true or false (got "maybe")']);
  });

  it('reads REFRESH_TOKEN_REUSE_INTERVAL: 10 s by default, off, at most a minute', () => {
    expect(loadConfig({}, dir).protocol.refreshTokenReuseInterval).toBe(10);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_INTERVAL: '3s' }, dir).protocol.refreshTokenReuseInterval).toBe(3);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_INTERVAL: 'off' }, dir).protocol.refreshTokenReuseInterval).toBe(0);
    expect(problems({ REFRESH_TOKEN_REUSE_INTERVAL: '5m' })).toEqual([
      expect.stringMatching(/^REFRESH_TOKEN_REUSE_INTERVAL must be a duration from 1s to 60s.*\(got "5m"\)$/),
    ]);
    expect(problems({ REFRESH_TOKEN_REUSE_INTERVAL: 'soon' })).toEqual([expect.stringMatching(/^REFRESH_TOKEN_REUSE_INTERVAL must be/)]);
  });

  it("accepts the seed product's JWT_EXPIRATION and REFRESH_TOKEN_EXPIRATION", () => {
    const config = loadConfig({ JWT_EXPIRATION: '15m', REFRESH_TOKEN_EXPIRATION: '7d' }, dir);
    expect(config.ttl.accessToken).toBe(900);
    expect(config.ttl.idToken).toBe(900);
    expect(config.ttl.refreshToken).toBe(7 * 86400);
    // The new names win when both are set.
    expect(loadConfig({ JWT_EXPIRATION: '15m', ACCESS_TOKEN_TTL: '60' }, dir).ttl.accessToken).toBe(60);
  });

  it('validates the clients file entry by entry', () => {
    const file = join(dir, 'clients.json');
    writeFileSync(
      file,
      JSON.stringify([
        { client_id: 'a', redirect_uris: ['https://a.example/cb'] },
        { client_id: 'a b', redirect_uris: [] },
        { client_id: 'a', redirect_uris: ['https://a.example/cb'] },
      ]),
    );
    const found = problems({ CLIENTS_FILE: file });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/at 1\.client_id: client_id must be 1-128 URL-safe characters/)]));
    // An empty redirect_uris is for device clients only.
    writeFileSync(file, JSON.stringify([{ client_id: 'b', redirect_uris: [] }]));
    expect(problems({ CLIENTS_FILE: file })).toEqual([
      expect.stringMatching(/client "b" needs at least one redirect_uri, or is a device client/),
    ]);
    writeFileSync(
      file,
      JSON.stringify([
        { client_id: 'a', redirect_uris: ['https://a.example/cb'] },
        { client_id: 'a', redirect_uris: ['https://a.example/cb'] },
      ]),
    );
    expect(problems({ CLIENTS_FILE: file })).toEqual([expect.stringMatching(/client_id "a" appears twice/)]);
  });
});
