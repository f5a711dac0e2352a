/**
 * The provider's own outbound requests and back-channel logout: private addresses only through
 * OUTBOUND_ALLOW, link-local and cloud metadata never; a static client whose
 * backchannel_logout_uri the policy refuses stops the start; a registered client's
 * backchannel_logout_uri must share a redirect URI's origin (Back-Channel Logout §2.2); a failed
 * back-channel logout is logged at warn and counted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/index.js';
import { parseOutboundAllow } from '../../src/config/outbound-allow.js';
import { policedFetch } from '../../src/security/outbound.js';
import { defaultClients, startProduct, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

const withLogoutUri = (uri: string) => (redirectUri: string) =>
  defaultClients(redirectUri).map((client) => (client.client_id === 'rp' ? { ...client, backchannel_logout_uri: uri } : client));

describe('outbound policy and back-channel logout', () => {
  let relyingParty: Server;
  let rpOrigin: string;
  let answer = 500;

  beforeAll(async () => {
    const port = await freePort();
    rpOrigin = `http://127.0.0.1:${port}`;
    relyingParty = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer).end('ok'));
    });
    relyingParty.listen(port, '127.0.0.1');
    await once(relyingParty, 'listening');
  });
  afterAll(() => {
    relyingParty?.close();
  });

  it('reaches private addresses only when OUTBOUND_ALLOW lists them, and link-local or metadata addresses never', async () => {
    const none = policedFetch(parseOutboundAllow(undefined).policy);
    await expect(none(`${rpOrigin}/x`)).rejects.toThrow(/127\.0\.0\.1, a private or loopback address that OUTBOUND_ALLOW does not list/);
    const port = new URL(rpOrigin).port;
    await expect(none(`http://localhost:${port}/x`)).rejects.toThrow();
    answer = 200;
    expect((await policedFetch(parseOutboundAllow('127.0.0.0/8').policy)(`${rpOrigin}/x`)).status).toBe(200);
    expect((await policedFetch(parseOutboundAllow('localhost').policy)(`http://localhost:${port}/x`)).status).toBe(200);
    const everything = policedFetch(parseOutboundAllow('169.254.0.0/16,0.0.0.0/0,::/0').policy);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://100.100.100.200/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      await expect(everything(url), url).rejects.toThrow(/link-local or cloud metadata address, which is never reached/);
    }
  });

  it('refuses OUTBOUND_PRIVATE_NETWORK=true and bad OUTBOUND_ALLOW entries with what to write instead', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', OUTBOUND_PRIVATE_NETWORK: 'true' }, '/')).toThrow(
      /OUTBOUND_PRIVATE_NETWORK=true is replaced by OUTBOUND_ALLOW: .* e\.g\. OUTBOUND_ALLOW=rp\.internal,10\.0\.0\.0\/8/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', OUTBOUND_ALLOW: '10.0.0.0/99,http://x/' }, '/')).toThrow(
      /"10\.0\.0\.0\/99" has an invalid prefix length[\s\S]*"http:\/\/x\/" is neither a host name/,
    );
  });

  it('refuses at start a static client whose backchannel_logout_uri the policy refuses', async () => {
    await expect(startProduct({ store: 'memory', clients: withLogoutUri(`${rpOrigin}/logout`) })).rejects.toThrow(
      /client "rp": its backchannel_logout_uri cannot be reached: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a private or loopback address/,
    );
    await expect(
      startProduct({ store: 'memory', env: { OUTBOUND_ALLOW: '169.254.0.0/16' }, clients: withLogoutUri('http://169.254.169.254/logout') }),
    ).rejects.toThrow(/link-local or cloud metadata address/);
  });

  describe('with the relying party allowed', () => {
    let running: RunningProduct;
    beforeAll(async () => {
      running = await startProduct({
        store: 'memory',
        env: { OUTBOUND_ALLOW: '127.0.0.1', REGISTRATION: 'open' },
        clients: withLogoutUri(`${rpOrigin}/logout`),
      });
    });
    afterAll(async () => {
      await running?.stop();
    });

    it('logs a failed back-channel logout at warn and counts it', async () => {
      answer = 500;
      const rp = await discover(running.baseUrl);
      const browser = new HttpBrowser(running.baseUrl);
      const request = await authorizationRequest(rp, running.redirectUri, 'openid');
      const callback = await signIn(browser, request.url, KEYS.compressed, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const confirm = await browser.navigate(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token! }).href);
      const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
      await browser.request(new URL(action, running.baseUrl).href, { form: { xsrf, logout: 'yes' } });
      await expect
        .poll(() => running.logs.find((l) => l.event === 'backchannel.error'))
        .toMatchObject({ level: 40, client_id: 'rp', uri: `${rpOrigin}/logout` });
      const metrics = await running.product.metrics.registry.metrics();
      expect(metrics).toMatch(/evrmore_backchannel_logout_failures_total\{client_id="rp"\} 1/);
    });

    it("holds a registered client's backchannel_logout_uri to the origin of one of its redirect URIs", async () => {
      const register = (uri: string) =>
        fetch(`${running.baseUrl}/reg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_name: 'Logout RP', redirect_uris: [`${rpOrigin}/cb`], backchannel_logout_uri: uri }),
        });
      const foreign = await register('http://127.0.0.1:1/logout');
      expect(foreign.status).toBe(400);
      expect(await foreign.json()).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringContaining('OIDC Back-Channel Logout 1.0 §2.2'),
      });
      expect((await register(`${rpOrigin}/logout`)).status).toBe(201);
    });
  });
});
