/**
 * A registered pairwise client cannot turn public, or move to another sector, through its own
 * registration management (RFC 7592 §2.2): the grants people gave it under pairwise identifiers
 * would otherwise release their addresses (or another sector's identifiers) at the next refresh
 * and at userinfo with an old access token.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, signIn } from '../support/wallet.js';

const person = KEYS.compressed;

describe('registration updates keep what existing grants release', () => {
  let running: RunningProduct;
  let redirectUri: string;

  beforeAll(async () => {
    running = await startProduct({
      store: 'memory',
      env: { REGISTRATION: 'open', PAIRWISE_SALT: 'a-salt-of-at-least-32-characters-for-pairwise-ids' },
    });
    redirectUri = running.redirectUri;
  });
  afterAll(async () => {
    await running?.stop();
  });

  const metadataFor = (uri: string) => ({
    client_name: 'Pairwise registered RP',
    redirect_uris: [uri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    subject_type: 'pairwise',
  });

  const registerAndSignIn = async () => {
    const response = await fetch(`${running.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadataFor(redirectUri)),
    });
    expect(response.status).toBe(201);
    const client = (await response.json()) as Record<string, string>;
    const config = await oidc.discovery(
      new URL(running.baseUrl),
      client.client_id!,
      client.client_secret,
      oidc.ClientSecretBasic(client.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const request = await authorizationRequest(config, redirectUri, 'openid offline_access');
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, person, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    return { client, config, tokens };
  };

  const update = (client: Record<string, string>, metadata: Record<string, unknown>) =>
    fetch(`${running.baseUrl}/reg/${client.client_id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.registration_access_token}` },
      body: JSON.stringify({ ...metadata, client_id: client.client_id, client_secret: client.client_secret }),
    });

  it('refuses turning public, also by leaving subject_type out, and the old tokens still carry the pairwise identifier', async () => {
    const { client, config, tokens } = await registerAndSignIn();
    const pairwiseSub = tokens.claims()!.sub;
    expect(pairwiseSub).not.toBe(person.address);
    const { subject_type: _omitted, ...withoutSubjectType } = metadataFor(redirectUri);
    for (const metadata of [{ ...metadataFor(redirectUri), subject_type: 'public' }, withoutSubjectType]) {
      const response = await update(client, metadata);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(/^subject_type cannot change from pairwise to public/),
      });
    }
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(pairwiseSub);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, pairwiseSub)).sub).toBe(pairwiseSub);
  });

  it('refuses moving a pairwise client to another sector, and accepts an update that keeps both', async () => {
    const { client } = await registerAndSignIn();
    const moved = await update(client, metadataFor(redirectUri.replace('127.0.0.1', 'localhost')));
    expect(moved.status).toBe(400);
    expect(await moved.json()).toMatchObject({
      error_description: expect.stringMatching(/^the sector of a pairwise client .* cannot change from 127\.0\.0\.1:\d+ to localhost:\d+/),
    });
    const kept = await update(client, { ...metadataFor(redirectUri), client_name: 'Renamed pairwise RP' });
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ client_name: 'Renamed pairwise RP', subject_type: 'pairwise' });
  });
});
