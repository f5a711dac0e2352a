/**
 * When the node cannot be used: a `required` group rule fails closed (a clear page, then
 * access_denied; refresh refused), other chain claims are left out and logged; a client's access
 * rule cannot be checked and refuses; the no-assetindex node is reported at start and in
 * /readyz. Without a node everything is off and says so; client metadata that needs a node, or
 * names an unknown group, is refused at start and at registration.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { RunningProduct } from '../support/product.js';
import { startProduct, defaultClients } from '../support/product.js';
import { HttpBrowser, elementText, formAction } from '../support/browser.js';
import {
  KEYS,
  authorizationRequest,
  discover,
  finishToRelyingParty,
  openLogin,
  sign,
  signIn,
  submitSignature,
  type TestKey,
} from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';
import { RULES, cacheExpiry, chainClients, discoverClient, nodeEnv, startChainProduct } from './support/chain-product.js';

const admin = KEYS.compressed;
const REQUIRED_RULES = { ...RULES, groups: { ...RULES.groups, 'myorg-admins': { rule: { asset: 'MYORG/ADMIN' }, required: true } } };

async function tokensFor(running: RunningProduct, config: oidc.Configuration, key: TestKey, scope: string) {
  const request = await authorizationRequest(config, running.redirectUri, scope);
  const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, key, running.redirectUri);
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

/** Signs in and returns the refusal page's message and what the relying party then receives. */
async function refused(
  running: RunningProduct,
  config: oidc.Configuration,
  key: TestKey,
  scope: string,
): Promise<{ message: string; callback: URL }> {
  const browser = new HttpBrowser(running.baseUrl);
  const login = await openLogin(browser, (await authorizationRequest(config, running.redirectUri, scope)).url);
  const page = await submitSignature(browser, login, key.address, sign(key, login.text));
  expect(page.status).toBe(403);
  const back = await browser.request(formAction(page.body, '/abort')!, { form: { reason: 'access_rule' } });
  const landed = await browser.navigate(new URL(back.headers.get('location')!, running.baseUrl).href, {}, running.redirectUri);
  return { message: elementText(page.body, 'error') ?? '', callback: new URL(landed.url) };
}

describe('node unreachable', () => {
  let node: FakeEvrmoreNode;
  let strict: RunningProduct;
  let lenient: RunningProduct;

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1 });
    node.setTags(admin.address, ['#KYC']);
    strict = await startChainProduct('redis', node, { rules: REQUIRED_RULES });
    lenient = await startChainProduct('redis', node);
  });
  afterAll(async () => {
    await strict?.stop();
    await lenient?.stop();
    await node?.stop();
  });

  it('fails closed for a required rule, leaves optional claims out and logs it, refuses access rules it cannot check', async () => {
    const rp = await discover(strict.baseUrl);
    const earlier = await tokensFor(strict, rp, admin, 'openid groups');
    expect(earlier.claims()?.groups).toEqual(['myorg-admins', 'members', 'kyc']);
    await node.stop();
    try {
      await cacheExpiry();
      // A sign-in that would carry `groups`: refused with a page, access_denied at the relying party.
      const required = await refused(strict, rp, admin, 'openid groups');
      expect(required.message).toMatch(
        /receives your groups, and they cannot be worked out right now because the Evrmore node does not answer/,
      );
      expect(required.callback.searchParams.get('error')).toBe('access_denied');
      expect(required.callback.searchParams.get('code')).toBeNull();
      // A refresh that would carry it is refused as well, not answered without the group.
      await expect(oidc.refreshTokenGrant(rp, earlier.refresh_token!)).rejects.toMatchObject({ error: 'temporarily_unavailable' });

      // Without the groups scope nothing is required: the sign-in works, the chain claims are left out.
      const assetsOnly = await tokensFor(strict, rp, admin, 'openid evrmore_assets');
      expect(assetsOnly.claims()).not.toHaveProperty('evrmore_assets');
      expect(assetsOnly.claims()).not.toHaveProperty('evrmore_tags');
      expect(strict.logs.some((l) => l.event === 'chain.claims_omitted' && l.address === admin.address && l.level === 40)).toBe(true);

      // No required rule at all: `groups` is left out and the sign-in proceeds.
      const lenientRp = await discover(lenient.baseUrl);
      const omitted = await tokensFor(lenient, lenientRp, admin, 'openid groups evrmore_assets');
      expect(omitted.claims()?.sub).toBe(admin.address);
      expect(omitted.claims()).not.toHaveProperty('groups');
      expect(await oidc.fetchUserInfo(lenientRp, omitted.access_token, admin.address)).not.toHaveProperty('groups');

      // A client's access rule cannot be checked: refused, with a reason that says why.
      const adminApp = await discoverClient(lenient.baseUrl, 'admin-app');
      const rule = await refused(lenient, adminApp, admin, 'openid');
      expect(rule.message).toMatch(/^This application requires holding MYORG\/ADMIN, and this cannot be checked right now/);
      expect(rule.callback.searchParams.get('error')).toBe('access_denied');

      // The instance stays ready: sign-ins that need no chain data keep working.
      expect((await fetch(`${lenient.baseUrl}/readyz`)).status).toBe(200);
      expect(strict.rawLogs()).not.toContain('rpc-secret-password-xyz');
    } finally {
      await node.start();
    }
    expect((await tokensFor(strict, rp, admin, 'openid groups')).claims()?.groups).toEqual(['myorg-admins', 'members', 'kyc']);
  });
});

describe('node misconfigured or absent', () => {
  it('reports a node without -assetindex at start and in /readyz, and recovers when it is fixed', async () => {
    const node = await startFakeNode();
    node.assetIndex = false;
    const running = await startChainProduct('memory', node);
    try {
      const start = running.logs.find((l) => l.event === 'chain.node')!;
      expect(start).toMatchObject({ level: 50, problem: 'no_assetindex' });
      expect(String(start.msg)).toMatch(/-assetindex/);
      const ready = await fetch(`${running.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(
        /^the Evrmore node at http:\/\/127\.0\.0\.1:\d+ runs without -assetindex, .*: restart evrmored with -assetindex/,
      );

      // Sign-ins still work; the consent page says the holdings cannot be read.
      const rp = await discover(running.baseUrl);
      const request = await authorizationRequest(rp, running.redirectUri, 'openid evrmore_assets');
      const browser = new HttpBrowser(running.baseUrl);
      const login = await openLogin(browser, request.url);
      const posted = await submitSignature(browser, login, admin.address, sign(admin, login.text));
      const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
      expect(consent.body).toContain('What your address holds cannot be read right now');
      const callback = await finishToRelyingParty(browser, consent, running.redirectUri);
      expect(callback.searchParams.get('code')).toBeTruthy();

      node.assetIndex = true;
      // /readyz reuses one answer for a few seconds, so probes do not load the node.
      await new Promise((resolve) => setTimeout(resolve, 5200));
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      await running.stop();
      await node.stop();
    }
  });

  it('refuses a node on another chain than EVRMORE_NETWORK', async () => {
    const node = await startFakeNode({ chain: 'test' });
    const running = await startChainProduct('memory', node);
    try {
      expect(running.logs.find((l) => l.event === 'chain.node')).toMatchObject({ level: 50, problem: 'wrong_chain' });
      const ready = await fetch(`${running.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/follows the "test" chain but EVRMORE_NETWORK is mainnet/);
    } finally {
      await running.stop();
      await node.stop();
    }
  });

  it('without a node: says so at start, offers no chain scope, refuses clients that need one', async () => {
    const running = await startProduct({ store: 'memory' });
    try {
      expect(running.logs.find((l) => l.event === 'chain.node')).toMatchObject({
        level: 30,
        node: null,
        msg: expect.stringMatching(/not configured/),
      });
      const metadata = (await (await fetch(`${running.baseUrl}/.well-known/openid-configuration`)).json()) as {
        scopes_supported: string[];
        claims_supported: string[];
      };
      expect(metadata.scopes_supported).not.toContain('groups');
      expect(metadata.scopes_supported).not.toContain('evrmore_assets');
      expect(metadata.claims_supported).not.toContain('groups');
    } finally {
      await running.stop();
    }
    await expect(startProduct({ store: 'memory', clients: chainClients })).rejects.toThrow(
      /evrmore_required_groups needs the Evrmore node, and this provider has none configured \(EVRMORE_RPC_URL\)/,
    );
  });

  it('refuses client metadata naming a group the rules do not define, at start and at registration', async () => {
    const node = await startFakeNode();
    try {
      const wrong = (uri: string) => [
        ...defaultClients(uri),
        { client_id: 'typo', client_secret: 'x'.repeat(40), redirect_uris: [uri], evrmore_required_groups: ['myorg-admin'] },
      ];
      await expect(startProduct({ store: 'memory', env: nodeEnv(node), clients: wrong })).rejects.toThrow(
        /client "typo": evrmore_required_groups: "myorg-admin" is not a group of the chain rules \(known: myorg-admins, members, kyc\)/,
      );

      const running = await startProduct({ store: 'memory', env: nodeEnv(node, RULES, { REGISTRATION: 'open' }) });
      try {
        const register = (metadata: Record<string, unknown>) =>
          fetch(`${running.baseUrl}/reg`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], ...metadata }),
          });
        const refusedRegistration = await register({ evrmore_required_groups: ['nope'] });
        expect(refusedRegistration.status).toBe(400);
        expect(await refusedRegistration.json()).toMatchObject({
          error: 'invalid_client_metadata',
          error_description: expect.stringContaining('"nope" is not a group'),
        });
        const badTag = await register({ evrmore_required_tags: ['kyc'] });
        expect(await badTag.json()).toMatchObject({
          error: 'invalid_client_metadata',
          error_description: expect.stringContaining('tags start with "#"'),
        });
        const accepted = await register({ evrmore_required_groups: ['myorg-admins'] });
        expect(accepted.status).toBe(201);
        expect(await accepted.json()).toMatchObject({ evrmore_required_groups: ['myorg-admins'] });
      } finally {
        await running.stop();
      }
    } finally {
      await node.stop();
    }
  });
});
