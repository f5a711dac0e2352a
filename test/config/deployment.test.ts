/**
 * The deployment variables of src/config/: REDIS_URL in each topology, with clear
 * messages that never echo a password; REGISTRATION and its initial access token;
 * SHUTDOWN_TIMEOUT; HTTP_KEEP_ALIVE_TIMEOUT.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../support/config.js';
import { describeRedisTarget, parseRedisUrl } from '../../src/config/redis-url.js';
import { registrationFeatures } from '../../src/oidc/registration.js';

function problems(env: Record<string, string>): string[] {
  return configProblems(env, '/nonexistent');
}

describe('REDIS_URL', () => {
  it('one server, with user, password and database, in clear or TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379').target).toEqual({
      kind: 'standalone',
      node: { host: '127.0.0.1', port: 6379 },
      db: 0,
      tls: false,
    });
    expect(parseRedisUrl('rediss://app:p%40ss%3Aw%2Fd@redis.example.com/3').target).toEqual({
      kind: 'standalone',
      node: { host: 'redis.example.com', port: 6379 },
      db: 3,
      tls: true,
      username: 'app',
      password: 'p@ss:w/d',
    });
    expect(parseRedisUrl('redis://:secret@[::1]:6380').target).toMatchObject({ node: { host: '::1', port: 6380 }, password: 'secret' });
  });

  it("Sentinel: the sentinels, the master group, the database and the sentinels' own password", () => {
    const { target, problems: found } = parseRedisUrl(
      'rediss+sentinel://:data-pass@s1.example.com,s2.example.com:26380,10.0.0.3/mymaster/2',
      'sentinel-pass',
    );
    expect(found).toEqual([]);
    expect(target).toEqual({
      kind: 'sentinel',
      masterName: 'mymaster',
      db: 2,
      tls: true,
      password: 'data-pass',
      sentinelPassword: 'sentinel-pass',
      sentinels: [
        { host: 's1.example.com', port: 26379 },
        { host: 's2.example.com', port: 26380 },
        { host: '10.0.0.3', port: 26379 },
      ],
    });
    expect(describeRedisTarget(target!)).toBe(
      'redis sentinel "mymaster" via s1.example.com:26379, s2.example.com:26380, 10.0.0.3:26379, db 2, TLS',
    );
  });

  it('Cluster: seed nodes and credentials, database 0 only', () => {
    const { target } = parseRedisUrl('redis+cluster://user:pw@n1:7000,n2:7001,n3');
    expect(target).toEqual({
      kind: 'cluster',
      tls: false,
      username: 'user',
      password: 'pw',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
    });
    expect(describeRedisTarget(target!)).toBe('redis cluster via n1:7000, n2:7001, n3:6379');
    expect(parseRedisUrl('redis+cluster://n1/0').problems).toEqual([]);
  });

  it.each([
    ['http://redis:6379', /^REDIS_URL must be one of redis:\/\/.*redis\+cluster:\/\/.*\(got "http:\/\/…"\)$/],
    ['redis:6379', /^REDIS_URL must be one of .*\(got no scheme\)$/],
    ['redis://a:6379,b:6379', /several hosts: use redis\+sentinel:\/\/ or redis\+cluster:\/\//],
    ['redis://redis:6379/x', /database must be a number/],
    ['redis://redis:99999', /invalid port "99999"/],
    ['redis://redis:6379?family=6', /must not have a query/],
    ['redis+sentinel://s1,s2', /must name the master group/],
    ['redis+cluster://n1,n2/1', /Redis Cluster only has database 0/],
    ['redis://user@redis', /user name but no password/],
    ['redis+cluster://n1,,n2', /empty host/],
    ['redis://:pa%ZZss@redis', /badly percent-encoded/],
  ])('refuses %s with a clear message', (url, message) => {
    const found = parseRedisUrl(url).problems;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('never repeats a password in a problem', () => {
    for (const url of [
      'redis://:hunter2-secret@a,b',
      'redis+cluster://:hunter2-secret@n1/4',
      'redis://:hunter2-secret@h?x=1',
      'http://:hunter2-secret@h',
    ]) {
      for (const problem of parseRedisUrl(url).problems) expect(problem).not.toContain('hunter2');
    }
  });

  it('is validated by loadConfig, with REDIS_SENTINEL_PASSWORD only for Sentinel', () => {
    expect(loadConfig({ REDIS_URL: 'redis+cluster://n1,n2' }, '/').redis?.kind).toBe('cluster');
    expect(problems({ REDIS_URL: 'mongodb://x' })).toEqual([expect.stringMatching(/^REDIS_URL must be one of/)]);
    expect(problems({ REDIS_URL: 'redis://x', REDIS_SENTINEL_PASSWORD: 'p' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not a redis\+sentinel/),
    ]);
    expect(problems({ REDIS_SENTINEL_PASSWORD: 'p' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not/),
    ]);
    expect(loadConfig({}, '/').redis).toBeUndefined();
  });
});

describe('REGISTRATION', () => {
  const token = 't'.repeat(40);

  it('is off by default and then adds no registration feature', () => {
    const config = loadConfig({}, '/');
    expect(config.registration).toEqual({ mode: 'off' });
    expect(registrationFeatures(config.registration)).toEqual({});
  });

  it('token: requires an initial access token of >= 32 characters', () => {
    expect(loadConfig({ REGISTRATION: 'token', REGISTRATION_INITIAL_ACCESS_TOKEN: token }, '/').registration).toEqual({
      mode: 'token',
      initialAccessToken: token,
    });
    expect(problems({ REGISTRATION: 'token' })).toEqual([
      expect.stringMatching(/^REGISTRATION=token needs REDIS_URL for per-partner tokens .*or one shared REGISTRATION_INITIAL_ACCESS_TOKEN/),
    ]);
    // With Redis and no shared token: per-partner tokens (registration-tokens issue).
    expect(loadConfig({ REGISTRATION: 'token', REDIS_URL: 'redis://127.0.0.1:6379' }, '/').registration).toEqual({ mode: 'token' });
    expect(problems({ REGISTRATION: 'token', REGISTRATION_INITIAL_ACCESS_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/at least 32 random characters/),
    ]);
    expect(registrationFeatures({ mode: 'token', initialAccessToken: token })).toEqual({
      registration: { enabled: true, initialAccessToken: token },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
    });
  });

  it('open: registration without a token, only when asked for explicitly', () => {
    expect(loadConfig({ REGISTRATION: 'open' }, '/').registration).toEqual({ mode: 'open' });
    expect(registrationFeatures({ mode: 'open' }).registration).toEqual({ enabled: true, initialAccessToken: false });
  });

  it('refuses a token that would not be used, and unknown modes', () => {
    expect(problems({ REGISTRATION_INITIAL_ACCESS_TOKEN: token })).toEqual([expect.stringMatching(/is set but REGISTRATION is off/)]);
    expect(problems({ REGISTRATION: 'open', REGISTRATION_INITIAL_ACCESS_TOKEN: token })).toEqual([
      expect.stringMatching(/is set but REGISTRATION is open/),
    ]);
    expect(problems({ REGISTRATION: 'yes' })).toEqual([expect.stringMatching(/^REGISTRATION must be off, token or open/)]);
  });
});

describe('SHUTDOWN_TIMEOUT', () => {
  it("defaults to 8 s, below docker stop's 10 s, and takes durations", () => {
    expect(loadConfig({}, '/').shutdownTimeout).toBe(8);
    expect(loadConfig({ SHUTDOWN_TIMEOUT: '25s' }, '/').shutdownTimeout).toBe(25);
    expect(problems({ SHUTDOWN_TIMEOUT: '0' })).toEqual([expect.stringMatching(/^SHUTDOWN_TIMEOUT must be a duration from 1s to 600s/)]);
    expect(problems({ SHUTDOWN_TIMEOUT: '1h' })).toEqual([expect.stringMatching(/^SHUTDOWN_TIMEOUT must be a duration from 1s to 600s/)]);
  });
});

describe('HTTP_KEEP_ALIVE_TIMEOUT', () => {
  it('defaults to 65 s, above the 60 s idle timeout of common load balancers, and takes durations', () => {
    expect(loadConfig({}, '/').keepAliveTimeout).toBe(65);
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT: '2m' }, '/').keepAliveTimeout).toBe(120);
    expect(problems({ HTTP_KEEP_ALIVE_TIMEOUT: 'soon' })).toEqual([
      expect.stringMatching(/^HTTP_KEEP_ALIVE_TIMEOUT must be a duration from 1s to 3600s.*\(got "soon"\)$/),
    ]);
    expect(problems({ HTTP_KEEP_ALIVE_TIMEOUT: '0' })).toHaveLength(1);
  });
});
