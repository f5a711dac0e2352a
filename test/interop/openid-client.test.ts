/**
 * openid-client (panva) as a confidential relying party, in the two configurations of the
 * interop suite: code + PKCE, ID token, userinfo, refresh (this library sends no scope on
 * refresh unless asked; here it is asked, as its users do to narrow a refresh), revocation.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRequire } from 'node:module';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';
import { RP_CONFIGURATIONS } from './configurations.js';

const VERSION = (createRequire(import.meta.url)('openid-client/package.json') as { version: string }).version;
const LIBRARY = `openid-client ${VERSION}`;

for (const rpConfiguration of RP_CONFIGURATIONS) {
  describe(`${LIBRARY}, ${rpConfiguration.name}`, () => {
    let running: RunningProduct;
    let config: oidc.Configuration;
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

    beforeAll(async () => {
      running = await startProduct({ store: 'redis' });
      config = await discover(running.baseUrl);
    });
    afterAll(async () => running?.stop());

    it('signs in: code + PKCE, ID token, userinfo', async () => {
      const request = await authorizationRequest(
        config,
        running.redirectUri,
        rpConfiguration.scope,
        rpConfiguration.prompt ? { prompt: rpConfiguration.prompt } : {},
      );
      const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri);
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
      expect(tokens.refresh_token, `${LIBRARY} got no refresh token: ${JSON.stringify(tokens)}`).toBeTruthy();
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, KEYS.compressed.address);
      expect(userinfo.preferred_username).toBe(KEYS.compressed.address);
    });

    it('refreshes, with the configured scope sent again', async () => {
      const refreshed = await oidc
        .refreshTokenGrant(config, tokens.refresh_token!, { scope: rpConfiguration.scope })
        .catch((error: unknown) => {
          throw new Error(
            `${LIBRARY}: refresh failed: ${(error as Error).message} ${JSON.stringify((error as { cause?: unknown }).cause ?? '')}`,
          );
        });
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      expect(refreshed.claims()?.sub).toBe(KEYS.compressed.address);
      tokens = refreshed;
    });

    it('revokes the refresh token', async () => {
      await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    });
  });
}
