import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/** Every model name oidc-provider 9 passes to an adapter factory (example/my_adapter.js). */
export const MODELS = [
  'Grant',
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'DeviceCode',
  'Interaction',
  'ReplayDetection',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  'PushedAuthorizationRequest',
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Math.floor(Date.now() / 1000);

export function payloadFor(kind: string, jti: string, extra: Partial<AdapterPayload> = {}): AdapterPayload {
  return {
    jti,
    kind,
    iat: now(),
    exp: now() + 60,
    clientId: 'client-1',
    accountId: 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc',
    scope: 'openid',
    amr: [],
    claims: { id_token: { email: null } },
    note: 'Grüße 🌍 "quoted" \\ back',
    ...extra,
  };
}

const invalidGrant = { name: 'InvalidGrant', error: 'invalid_grant', statusCode: 400 };

/**
 * oidc-provider's adapter contract plus this project's rules: every model round trips,
 * TTLs, the grant index, the lookups, and single use of codes and refresh tokens.
 * `makeFactory` is called before each test; a shared backing store is fine (ids are unique).
 */
export function describeAdapterContract(name: string, makeFactory: () => AdapterFactory): void {
  describe(`oidc adapter contract: ${name}`, () => {
    let factory: AdapterFactory;
    const adapter = (model: string): Adapter => factory(model);
    const id = () => randomUUID();

    /** A grant with an authorization code, an access token and a refresh token issued under it. */
    async function issueGrant(ttl = 60) {
      const grantId = id();
      const ids = { grantId, code: id(), accessToken: id(), refreshToken: id() };
      await adapter('Grant').upsert(grantId, payloadFor('Grant', grantId), ttl);
      await adapter('AuthorizationCode').upsert(ids.code, payloadFor('AuthorizationCode', ids.code, { grantId }), ttl);
      await adapter('AccessToken').upsert(ids.accessToken, payloadFor('AccessToken', ids.accessToken, { grantId }), ttl);
      await adapter('RefreshToken').upsert(ids.refreshToken, payloadFor('RefreshToken', ids.refreshToken, { grantId }), ttl);
      return ids;
    }

    async function grantRemains(ids: Awaited<ReturnType<typeof issueGrant>>) {
      return {
        grant: await adapter('Grant').find(ids.grantId),
        code: await adapter('AuthorizationCode').find(ids.code),
        accessToken: await adapter('AccessToken').find(ids.accessToken),
        refreshToken: await adapter('RefreshToken').find(ids.refreshToken),
      };
    }

    beforeEach(() => {
      factory = makeFactory();
    });

    it.each(MODELS)('round-trips a %s payload exactly', async (model) => {
      const key = id();
      const payload = payloadFor(model, key, model === 'Session' ? { uid: id() } : {});
      await adapter(model).upsert(key, payload, 60);
      expect(await adapter(model).find(key)).toStrictEqual(payload);
      expect(await adapter(model).find(id())).toBeUndefined();
    });

    it('upsert replaces the whole payload', async () => {
      const key = id();
      await adapter('Interaction').upsert(key, payloadFor('Interaction', key, { returnTo: '/a', result: { x: 1 } }), 60);
      const second = payloadFor('Interaction', key, { returnTo: '/b' });
      await adapter('Interaction').upsert(key, second, 60);
      expect(await adapter('Interaction').find(key)).toStrictEqual(second);
    });

    it('keeps a model stored without expiresIn (a registered Client)', async () => {
      const key = id();
      await adapter('Client').upsert(key, { client_id: key, redirect_uris: ['https://rp.example/cb'] });
      expect(await adapter('Client').find(key)).toStrictEqual({ client_id: key, redirect_uris: ['https://rp.example/cb'] });
    });

    it('expires models and lookups; the grant index outlives its shortest member', async () => {
      const session = { id: id(), uid: id() };
      const device = { id: id(), userCode: `UC-${id()}` };
      const grantId = id();
      const [refreshToken, accessToken] = [id(), id()];
      await adapter('Session').upsert(session.id, payloadFor('Session', session.id, { uid: session.uid }), 1);
      await adapter('DeviceCode').upsert(device.id, payloadFor('DeviceCode', device.id, { userCode: device.userCode }), 1);
      await adapter('RefreshToken').upsert(refreshToken, payloadFor('RefreshToken', refreshToken, { grantId }), 60);
      await adapter('AccessToken').upsert(accessToken, payloadFor('AccessToken', accessToken, { grantId }), 1);
      expect(await adapter('Session').findByUid(session.uid)).toBeDefined();
      expect(await adapter('AccessToken').find(accessToken)).toBeDefined();

      await sleep(1_150);

      expect(await adapter('Session').find(session.id)).toBeUndefined();
      expect(await adapter('Session').findByUid(session.uid)).toBeUndefined();
      // An expired device code stays findable for a while so the device hears expired_token
      // and the person "this code has expired" (RFC 8628 §3.5); oidc-provider checks expiry.
      expect(await adapter('DeviceCode').findByUserCode(device.userCode)).toMatchObject({ userCode: device.userCode });
      expect(await adapter('AccessToken').find(accessToken)).toBeUndefined();
      expect(await adapter('RefreshToken').find(refreshToken)).toBeDefined();
      await adapter('AccessToken').revokeByGrantId(grantId);
      expect(await adapter('RefreshToken').find(refreshToken)).toBeUndefined();
    });

    it('destroy removes the model and its lookups; destroying twice is harmless', async () => {
      const session = { id: id(), uid: id() };
      await adapter('Session').upsert(session.id, payloadFor('Session', session.id, { uid: session.uid }), 60);
      await adapter('Session').destroy(session.id);
      expect(await adapter('Session').find(session.id)).toBeUndefined();
      expect(await adapter('Session').findByUid(session.uid)).toBeUndefined();
      await expect(adapter('Session').destroy(session.id)).resolves.toBeUndefined();
    });

    it('findByUid follows a session whose id changed; destroying the old id keeps the new lookup', async () => {
      const uid = id();
      const [oldId, newId] = [id(), id()];
      await adapter('Session').upsert(oldId, payloadFor('Session', oldId, { uid }), 60);
      expect(await adapter('Session').findByUid(uid)).toMatchObject({ jti: oldId, uid });
      await adapter('Session').upsert(newId, payloadFor('Session', newId, { uid }), 60);
      await adapter('Session').destroy(oldId);
      expect(await adapter('Session').findByUid(uid)).toMatchObject({ jti: newId, uid });
      expect(await adapter('Session').findByUid(id())).toBeUndefined();
    });

    it('findByUserCode finds a device code, and not after it is destroyed', async () => {
      const code = { id: id(), userCode: `WDJB-MJHT${id()}` };
      await adapter('DeviceCode').upsert(code.id, payloadFor('DeviceCode', code.id, { userCode: code.userCode }), 60);
      expect(await adapter('DeviceCode').findByUserCode(code.userCode)).toMatchObject({ jti: code.id });
      expect(await adapter('DeviceCode').findByUserCode('NOPE-NOPE')).toBeUndefined();
      await adapter('DeviceCode').destroy(code.id);
      expect(await adapter('DeviceCode').findByUserCode(code.userCode)).toBeUndefined();
    });

    it('consume marks the model consumed (epoch seconds) and keeps the rest', async () => {
      const { code } = await issueGrant();
      const before = now();
      await adapter('AuthorizationCode').consume(code);
      const stored = await adapter('AuthorizationCode').find(code);
      expect(stored?.consumed).toBeGreaterThanOrEqual(before);
      expect(stored?.consumed).toBeLessThanOrEqual(now());
      expect(stored).toMatchObject({ jti: code, kind: 'AuthorizationCode' });
    });

    it('a consumed payload upserted again stays consumed', async () => {
      const { code } = await issueGrant();
      await adapter('AuthorizationCode').consume(code);
      const stored = await adapter('AuthorizationCode').find(code);
      await adapter('AuthorizationCode').upsert(code, stored!, 60);
      await expect(adapter('AuthorizationCode').consume(code)).rejects.toMatchObject(invalidGrant);
    });

    it('a code consumed twice: invalid_grant, and everything issued under its grant is revoked (RFC 6749 §4.1.2)', async () => {
      const ids = await issueGrant();
      const other = await issueGrant();
      await adapter('AuthorizationCode').consume(ids.code);
      await expect(adapter('AuthorizationCode').consume(ids.code)).rejects.toMatchObject({
        ...invalidGrant,
        error_detail: 'authorization code already used',
      });
      expect(await grantRemains(ids)).toStrictEqual({
        grant: undefined,
        code: undefined,
        accessToken: undefined,
        refreshToken: undefined,
      });
      const untouched = await grantRemains(other);
      expect(Object.values(untouched).every(Boolean)).toBe(true);
    });

    it('10 concurrent consumes of one code: exactly one succeeds, the rest get invalid_grant', async () => {
      const ids = await issueGrant();
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => adapter('AuthorizationCode').consume(ids.code)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect(result.reason).toMatchObject(invalidGrant);
      }
      expect(await adapter('AccessToken').find(ids.accessToken)).toBeUndefined();
      expect(await adapter('Grant').find(ids.grantId)).toBeUndefined();
    });

    it('a refresh token rotated twice: invalid_grant and the grant is revoked', async () => {
      const ids = await issueGrant();
      await adapter('RefreshToken').consume(ids.refreshToken);
      await expect(adapter('RefreshToken').consume(ids.refreshToken)).rejects.toMatchObject({
        ...invalidGrant,
        error_detail: 'refresh token already used',
      });
      expect(await adapter('AccessToken').find(ids.accessToken)).toBeUndefined();
    });

    it('a rotated refresh token keeps only what detecting its reuse reads, and its reuse still revokes the grant', async () => {
      const ids = await issueGrant();
      const token = ids.refreshToken;
      await adapter('RefreshToken').upsert(
        token,
        payloadFor('RefreshToken', token, {
          grantId: ids.grantId,
          nonce: 'n-0S',
          acr: 'urn:evrmore:acr:wallet-signature',
          authTime: now(),
          sessionUid: id(),
          gty: 'authorization_code',
          rotations: 0,
          iiat: now(),
          expiresWithSession: true,
          'x5t#S256': 'bound-to-this-certificate',
        }),
        60,
      );
      await adapter('RefreshToken').consume(token);
      // oidc-provider's refresh_token grant checks these before it sees `consumed` (KEPT_WHEN_CONSUMED).
      expect(await adapter('RefreshToken').find(token)).toStrictEqual({
        jti: token,
        kind: 'RefreshToken',
        exp: expect.any(Number),
        clientId: 'client-1',
        grantId: ids.grantId,
        accountId: 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc',
        scope: 'openid',
        'x5t#S256': 'bound-to-this-certificate',
        consumed: expect.any(Number),
      });
      await expect(adapter('RefreshToken').consume(token)).rejects.toMatchObject({
        ...invalidGrant,
        error_detail: 'refresh token already used',
      });
      expect(await grantRemains(ids)).toStrictEqual({ grant: undefined, code: undefined, accessToken: undefined, refreshToken: undefined });
    });

    it('a consumed authorization code keeps its whole payload (until it expires, 60 s)', async () => {
      const { code } = await issueGrant();
      const payload = payloadFor('AuthorizationCode', code, { nonce: 'n', redirectUri: 'https://rp.example/cb' });
      await adapter('AuthorizationCode').upsert(code, payload, 60);
      await adapter('AuthorizationCode').consume(code);
      expect(await adapter('AuthorizationCode').find(code)).toStrictEqual({ ...payload, consumed: expect.any(Number) });
    });

    it('a pushed authorization request consumed twice: invalid_request_uri', async () => {
      const key = id();
      await adapter('PushedAuthorizationRequest').upsert(key, payloadFor('PushedAuthorizationRequest', key), 60);
      await adapter('PushedAuthorizationRequest').consume(key);
      await expect(adapter('PushedAuthorizationRequest').consume(key)).rejects.toMatchObject({
        name: 'InvalidRequestUri',
        error: 'invalid_request_uri',
      });
    });

    it('consuming a model that is gone is invalid_grant, not a crash', async () => {
      await expect(adapter('AuthorizationCode').consume(id())).rejects.toMatchObject({
        ...invalidGrant,
        error_detail: 'authorization code not found',
      });
    });

    it('revokeByGrantId removes every model issued under the grant and nothing else', async () => {
      const ids = await issueGrant();
      const other = await issueGrant();
      const device = { id: id(), userCode: `UC-${id()}` };
      const interaction = id();
      const session = { id: id(), uid: id() };
      await adapter('DeviceCode').upsert(
        device.id,
        payloadFor('DeviceCode', device.id, { grantId: ids.grantId, userCode: device.userCode }),
        60,
      );
      await adapter('Interaction').upsert(interaction, payloadFor('Interaction', interaction, { grantId: ids.grantId }), 60);
      await adapter('Session').upsert(session.id, payloadFor('Session', session.id, { uid: session.uid }), 60);

      await adapter('RefreshToken').revokeByGrantId(ids.grantId);

      const remains = await grantRemains(ids);
      expect([remains.code, remains.accessToken, remains.refreshToken]).toStrictEqual([undefined, undefined, undefined]);
      expect(await adapter('DeviceCode').find(device.id)).toBeUndefined();
      expect(await adapter('DeviceCode').findByUserCode(device.userCode)).toBeUndefined();
      // The Grant itself is oidc-provider's to destroy (revokeGrantPolicy); an interaction only refers to it.
      expect(remains.grant).toBeDefined();
      expect(await adapter('Interaction').find(interaction)).toBeDefined();
      expect(await adapter('Session').findByUid(session.uid)).toBeDefined();
      expect(Object.values(await grantRemains(other)).every(Boolean)).toBe(true);
      await expect(adapter('AccessToken').revokeByGrantId(ids.grantId)).resolves.toBeUndefined();
    });

    it('a token issued after a revocation is listed under the grant again', async () => {
      const ids = await issueGrant();
      await adapter('AccessToken').revokeByGrantId(ids.grantId);
      const later = id();
      await adapter('AccessToken').upsert(later, payloadFor('AccessToken', later, { grantId: ids.grantId }), 60);
      await adapter('AccessToken').revokeByGrantId(ids.grantId);
      expect(await adapter('AccessToken').find(later)).toBeUndefined();
    });

    it('find returns a copy: changing it does not change what is stored', async () => {
      const key = id();
      await adapter('Grant').upsert(key, payloadFor('Grant', key), 60);
      const first = await adapter('Grant').find(key);
      first!.accountId = 'changed';
      expect((await adapter('Grant').find(key))?.accountId).not.toBe('changed');
    });
  });
}
