/**
 * Redis Cluster: REDIS_URL=redis+cluster://… gives connectRedis a Cluster;
 * the oidc adapter and the challenge store pass their whole contracts on three masters (each
 * command touches one key, so no CROSSSLOT error can arise), their keys really spread over the
 * masters, and a full sign-in works on it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/index.js';
import { connectRedis } from '../../src/product/redis-connection.js';
import { createRedisAdapter } from '../../src/oidc/redis-adapter.js';
import { createRedisChallengeStore } from '../../src/challenge/redis-store.js';
import type { RedisClient } from '../../src/store/redis-script.js';
import { HttpBrowser } from '../support/browser.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';
import { describeAdapterContract, MODELS, payloadFor } from '../oidc/adapter-contract.js';
import { describeChallengeStoreContract, makeChallenge } from '../challenge/store-contract.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';

let cluster: RedisCluster;
let client: RedisClient;
const keyPrefix = `deploy:cluster:${randomUUID()}:`;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  const config = loadConfig({ REDIS_URL: cluster.url, REDIS_KEY_PREFIX: keyPrefix });
  client = connectRedis(config);
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.quit().catch(() => client.disconnect());
  await cluster?.stop();
});

describe('Redis Cluster of three masters', () => {
  it('connectRedis gives a Cluster client for redis+cluster://, authenticated with the password', async () => {
    expect(client).toBeInstanceOf(Cluster);
    expect(await client.ping()).toBe('PONG');
    expect((client as Cluster).nodes('master')).toHaveLength(3);
  });

  describeAdapterContract('redis cluster', () => createRedisAdapter(client));
  describeChallengeStoreContract('redis cluster', () => createRedisChallengeStore(client));

  it('spreads the keys of one deployment over every master, each under the key prefix', async () => {
    const adapter = createRedisAdapter(client);
    const store = createRedisChallengeStore(client);
    const grantId = randomUUID();
    for (let i = 0; i < 10; i += 1) {
      for (const model of MODELS) {
        const id = randomUUID();
        await adapter(model).upsert(id, payloadFor(model, id, model === 'Session' ? { uid: randomUUID() } : { grantId }), 300);
      }
      await store.create(makeChallenge());
    }
    await adapter('AccessToken').revokeByGrantId(grantId);
    for (const port of cluster.ports) {
      const node = new Redis({ port, host: '127.0.0.1', password: cluster.password });
      const keys = await node.keys('*');
      node.disconnect();
      expect(keys.length, `master ${port}`).toBeGreaterThan(0);
      for (const key of keys) expect(key.startsWith('deploy:cluster:')).toBe(true);
    }
  });

  describe('the product on the cluster', () => {
    let running: RunningProduct;
    beforeAll(async () => {
      running = await startProduct({ store: 'redis', env: { REDIS_URL: cluster.url, REDIS_KEY_PREFIX: `${keyPrefix}product:` } });
    });
    afterAll(async () => running?.stop());

    it('signs in end to end, refreshes, and refuses a second exchange of the code', async () => {
      expect(running.product.redis).toBeInstanceOf(Cluster);
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
      const config = await discover(running.baseUrl);
      const request = await authorizationRequest(config, running.redirectUri);
      const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
      expect(await oidc.fetchUserInfo(config, tokens.access_token, KEYS.compressed.address)).toMatchObject({ evrmore_network: 'mainnet' });
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);
      await expect(
        oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: request.verifier,
          expectedState: request.state,
          expectedNonce: request.nonce,
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
    });
  });
});
