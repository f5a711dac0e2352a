/**
 * The security settings (SECURITY.md) in src/config/: on by default with the documented values,
 * each tunable, and every mistake reported with the variable's name.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { configProblems, PRODUCTION_CONFIG_ENV } from '../support/config.js';
import { ipKey } from '../../src/security/client-ip.js';

const dir = mkdtempSync(join(tmpdir(), 'evr-security-config-'));

function problems(env: Record<string, string | undefined>): string[] {
  return configProblems(env, dir);
}

describe('security configuration', () => {
  it('is on by default', () => {
    const { security, trustProxy, trustProxyHops } = loadConfig({}, dir);
    expect(trustProxy).toBe(false);
    expect(trustProxyHops).toBe(1);
    expect(security.rateLimits).toEqual({
      challenge: { points: 30, durationSeconds: 60 },
      signinPerIp: { points: 20, durationSeconds: 60 },
      token: { points: 300, durationSeconds: 60 },
      registration: { points: 10, durationSeconds: 3600 },
      authorization: { points: 300, durationSeconds: 60 },
      status: { points: 600, durationSeconds: 60 },
      userCodeGuesses: { points: 300, durationSeconds: 600 },
    });
    expect(security.eventStreams).toEqual({ perIp: 20, total: 1000 });
    // Lock-outs last a minute outside production (a developer's own typos), 15 minutes in it.
    expect(security.failures).toEqual({ threshold: 10, windowSeconds: 900, lockoutSeconds: 60, webhookUrl: undefined });
    expect(security.metricsToken).toBeUndefined();
    expect(security.corsOrigins).toEqual([]);
  });

  it('reads every setting', () => {
    const { security, trustProxyHops } = loadConfig(
      {
        RATE_LIMIT_CHALLENGE: '5/10s',
        RATE_LIMIT_SIGNIN_IP: 'off',
        RATE_LIMIT_TOKEN: '1000/1h',
        RATE_LIMIT_REGISTRATION: '1/1d',
        RATE_LIMIT_AUTHORIZATION: '50/1m',
        RATE_LIMIT_STATUS: 'off',
        RATE_LIMIT_USER_CODE_GUESSES: '50/1h',
        EVENT_STREAMS_PER_IP: '5',
        EVENT_STREAMS_MAX: '100',
        FAILURE_ALERT_THRESHOLD: '4',
        FAILURE_WINDOW: '1h',
        FAILURE_LOCKOUT: 'off',
        ALERT_WEBHOOK_URL: 'https://hooks.example.com/T000/B000/secret',
        METRICS_TOKEN: 'm'.repeat(32),
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/',
        TRUST_PROXY_HOPS: '2',
      },
      dir,
    );
    expect(security.rateLimits).toEqual({
      challenge: { points: 5, durationSeconds: 10 },
      signinPerIp: undefined,
      token: { points: 1000, durationSeconds: 3600 },
      registration: { points: 1, durationSeconds: 86400 },
      authorization: { points: 50, durationSeconds: 60 },
      status: undefined,
      userCodeGuesses: { points: 50, durationSeconds: 3600 },
    });
    expect(security.eventStreams).toEqual({ perIp: 5, total: 100 });
    expect(security.failures).toEqual({
      threshold: 4,
      windowSeconds: 3600,
      lockoutSeconds: 0,
      webhookUrl: 'https://hooks.example.com/T000/B000/secret',
    });
    expect(security.metricsToken).toBe('m'.repeat(32));
    expect(security.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(trustProxyHops).toBe(2);
  });

  it('names the variable and the value in every refusal', () => {
    expect(problems({ RATE_LIMIT_TOKEN: 'lots' })).toEqual([
      'RATE_LIMIT_TOKEN must be "N/DURATION" (at most N requests per DURATION, e.g. 20/1m or 300/1h) or "off" (got "lots")',
    ]);
    expect(problems({ RATE_LIMIT_SIGNIN_IP: '0/1m' })).toEqual([expect.stringMatching(/^RATE_LIMIT_SIGNIN_IP must be "N\/DURATION"/)]);
    expect(problems({ FAILURE_ALERT_THRESHOLD: '0' })).toEqual([
      'FAILURE_ALERT_THRESHOLD must be a whole number from 1 to 1000000 (got "0")',
    ]);
    expect(problems({ FAILURE_WINDOW: 'off' })).toEqual([expect.stringMatching(/^FAILURE_WINDOW must be a positive duration/)]);
    expect(problems({ FAILURE_LOCKOUT: 'forever' })).toEqual([
      expect.stringMatching(/^FAILURE_LOCKOUT must be a positive duration.*or "off"/),
    ]);
    expect(problems({ ALERT_WEBHOOK_URL: 'ftp://x' })).toEqual(['ALERT_WEBHOOK_URL must be an http(s) URL that accepts a JSON POST']);
    expect(problems({ METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 32 random characters/)]);
    expect(problems({ CORS_ORIGINS: '*' })).toEqual([expect.stringMatching(/^CORS_ORIGINS: "\*" is not an origin/)]);
    expect(problems({ CORS_ORIGINS: 'https://app.example.com/path' })).toEqual([
      expect.stringMatching(/^CORS_ORIGINS: "https:\/\/app.example.com\/path" is not an origin/),
    ]);
    expect(problems({ TRUST_PROXY_HOPS: '0' })).toEqual(['TRUST_PROXY_HOPS must be a whole number from 1 to 10 (got "0")']);
    // The limit per address is gone: an operator who set it learns so rather than keeping a
    // protection that no longer exists in mind.
    expect(problems({ RATE_LIMIT_SIGNIN_ADDRESS: '10/1m' })).toEqual([
      expect.stringMatching(/^RATE_LIMIT_SIGNIN_ADDRESS no longer exists: a limit per address let anyone keep its owner from signing in/),
    ]);
  });

  describe('in production', () => {
    const production = PRODUCTION_CONFIG_ENV;

    it('needs a trusted proxy in front of an https issuer, so cookies are Secure', () => {
      expect(problems(production)).toEqual([]);
      expect(problems({ ...production, TRUST_PROXY: undefined })).toEqual([
        expect.stringMatching(/^TRUST_PROXY must be true in production with an https ISSUER/),
      ]);
      expect(problems({ ...production, TRUST_PROXY: 'false' })).toEqual([expect.stringMatching(/^TRUST_PROXY must be true in production/)]);
    });

    it('locks an IP out for 15 minutes by default', () => {
      expect(loadConfig(production, dir).security.failures.lockoutSeconds).toBe(900);
    });

    it('sends alerts over https only', () => {
      expect(problems({ ...production, ALERT_WEBHOOK_URL: 'http://alerts.example.com/hook' })).toEqual([
        expect.stringMatching(/^ALERT_WEBHOOK_URL must be https in production/),
      ]);
    });
  });

  it('counts an IPv6 client by its /64 and an IPv4 client by its address', () => {
    expect(ipKey('2001:db8:1:2:3:4:5:6')).toBe('2001:0db8:0001:0002::/64');
    expect(ipKey('2001:db8:1:2::9')).toBe('2001:0db8:0001:0002::/64');
    expect(ipKey('2001:db8::')).toBe('2001:0db8:0000:0000::/64');
    expect(ipKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(ipKey('203.0.113.5')).toBe('203.0.113.5');
  });
});
