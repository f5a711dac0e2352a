/**
 * Per-partner initial access tokens for dynamic client registration (RFC 7591 §3), issued,
 * listed and revoked with the CLI against the provider's Redis while the provider runs.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { startProduct, type RunningProduct } from '../support/product.js';
import { run, tempDir } from './helpers.js';

const metadata = {
  client_name: 'Partner app',
  redirect_uris: ['https://partner.example.test/cb'],
  token_endpoint_auth_method: 'client_secret_basic',
};

describe('registration-tokens issue, list and revoke', () => {
  let running: RunningProduct;
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    running = await startProduct({ store: 'redis', env: { REGISTRATION: 'token' } });
    env = {
      NODE_ENV: 'test',
      DEMO: 'false',
      REGISTRATION: 'token',
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: running.config.redisKeyPrefix,
      DATA_DIR: dir,
    };
  });
  afterAll(async () => {
    await running?.stop();
    await cleanup();
  });

  const cli = (...argv: string[]) => run(['registration-tokens', ...argv], { env, cwd: dir });
  const issue = async (partner: string, ...extra: string[]) => {
    const result = await cli('issue', '--partner', partner, ...extra);
    expect(result.code, result.stderr).toBe(0);
    return { token: /^registration_token: (\S+)$/m.exec(result.stdout)![1]!, id: /Issued token ([0-9a-f]{12}) /.exec(result.stderr)![1]! };
  };
  const register = (token?: string) =>
    fetch(`${running.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(metadata),
    });

  it('each partner registers with its own token; a revoked one is refused at once, the others still work', async () => {
    const acme = await issue('Acme Corp');
    const globex = await issue('Globex');
    expect(acme.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(acme.token).not.toBe(globex.token);

    expect((await register(acme.token)).status).toBe(201);
    expect((await register(globex.token)).status).toBe(201);
    expect((await register()).status).toBe(401);
    const wrong = await register('x'.repeat(43));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_token' });

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${acme.id} +Acme Corp +\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z +never$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${globex.id} +Globex `, 'm'));
    expect(listed.stdout).not.toContain(acme.token);

    const revoked = await cli('revoke', '--id', acme.id);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await register(acme.token)).status).toBe(401);
    expect((await register(globex.token)).status).toBe(201);

    expect((await cli('revoke', '--partner', 'Globex')).code).toBe(0);
    expect((await register(globex.token)).status).toBe(401);
    expect((await cli('list')).stderr).toContain('No registration tokens.');
  });

  it('stores only a hash of each token', async () => {
    const { token } = await issue('Initech');
    const redis = new Redis(inject('redisUrl'), { keyPrefix: running.config.redisKeyPrefix });
    try {
      const stored = JSON.stringify(await redis.hgetall('registration-tokens'));
      expect(stored).toContain('Initech');
      expect(stored).not.toContain(token);
    } finally {
      redis.disconnect();
    }
  });

  it('a token with --expires-in stops working when it expires', async () => {
    const { token } = await issue('Short-lived', '--expires-in', '2s');
    expect((await register(token)).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await register(token)).status).toBe(401);
  });

  it('says what is wrong: no partner, a bad duration, an unknown id, no Redis', async () => {
    expect(await cli('issue')).toMatchObject({ code: 2, stderr: expect.stringContaining('missing --partner NAME') });
    expect(await cli('issue', '--partner', 'A', '--expires-in', 'soon')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--expires-in must be a positive duration'),
    });
    expect(await cli('revoke', '--id', '000000000000')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no registration token with id "000000000000"'),
    });
    expect(await cli('revoke')).toMatchObject({ code: 2, stderr: expect.stringContaining('give --id ID or --partner NAME') });
    const noRedis = await run(['registration-tokens', 'list'], { env: { NODE_ENV: 'test', DEMO: 'false', DATA_DIR: dir }, cwd: dir });
    expect(noRedis).toMatchObject({ code: 1, stderr: expect.stringContaining('REDIS_URL is not set') });
  });
});
