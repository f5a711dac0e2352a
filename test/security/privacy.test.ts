/**
 * What a relying party learns is what the consent page showed, no more: for each kind of
 * client (public or pairwise subject, configured or registered) and each combination of the
 * evrmore, evrmore_assets and groups scopes, the person's claims in the ID token, at userinfo, in
 * introspection, in the JWT access token for an API and in the back-channel logout token are
 * exactly those of the lines the consent page listed (and a pairwise client never sees the
 * address as `sub` anywhere).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { startProduct, defaultClients, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, finishToRelyingParty, openLogin, sign, submitSignature } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from '../chain/support/fake-node.js';
import { nodeEnv } from '../chain/support/chain-product.js';

const person = KEYS.compressed;
const API = 'https://api.example.test/';

/** What each line of the consent page releases about the person (docs/oidc-features.md). */
const LINE_CLAIMS: Record<string, string[]> = {
  'Your Evrmore address, as your account identifier': ['sub'],
  'An account identifier for this application only (not your address)': ['sub'],
  'Your Evrmore address and network': ['evrmore_address', 'evrmore_network'],
  'Your Evrmore asset balances and qualifier tags': ['evrmore_assets', 'evrmore_tags'],
  'Your groups, worked out from what your address holds': ['groups'],
  'api:read': [],
};

/** Claims about the token or the sign-in itself, not about the person (OIDC Core §2, RFC 7662, RFC 9068, Back-Channel Logout §2.4). */
const PROTOCOL_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'azp',
  'auth_time',
  'acr',
  'amr',
  'client_id',
  'scope',
  'active',
  'token_type',
  'events',
  'cnf',
  'typ',
  'iss',
  'token_type_hint',
]);
const personClaims = (claims: object) =>
  Object.keys(claims)
    .filter((name) => !PROTOCOL_CLAIMS.has(name))
    .sort();

const SCOPE_SETS = [
  [],
  ['evrmore'],
  ['evrmore_assets'],
  ['groups'],
  ['evrmore', 'evrmore_assets'],
  ['evrmore', 'groups'],
  ['evrmore_assets', 'groups'],
  ['evrmore', 'evrmore_assets', 'groups'],
];

describe('what each kind of relying party learns equals what the consent page showed', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;
  let receiver: Server;
  let rpOrigin: string;
  const logoutTokens: string[] = [];
  const clients = new Map<string, { id: string; secret: string; pairwise: boolean }>();

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(person.address, { MYORG: 250, 'MYORG/ADMIN': 1, PRIVATE: 5 });
    node.setTags(person.address, ['#KYC']);
    const port = await freePort();
    rpOrigin = `http://127.0.0.1:${port}`;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    receiver.listen(port, '127.0.0.1');
    await once(receiver, 'listening');
    const resources = join(mkdtempSync(join(tmpdir(), 'evr-privacy-')), 'resources.json');
    writeFileSync(resources, JSON.stringify([{ resource: API, scopes: ['api:read'] }]));
    const web = (subjectType: string) => ({
      client_secret: TEST_CLIENT_SECRET,
      redirect_uris: [`${rpOrigin}/cb`],
      grant_types: ['authorization_code', 'refresh_token'],
      subject_type: subjectType,
      backchannel_logout_uri: `${rpOrigin}/logout`,
    });
    running = await startProduct({
      store: 'memory',
      env: {
        ...nodeEnv(node),
        REGISTRATION: 'open',
        PAIRWISE_SALT: 'privacy-test-salt-of-at-least-32-characters',
        RESOURCE_SERVERS_FILE: resources,
        OUTBOUND_ALLOW: '127.0.0.1',
      },
      clients: (redirectUri) => [
        ...defaultClients(redirectUri),
        { client_id: 'public-configured', client_name: 'Public configured', ...web('public') },
        { client_id: 'pairwise-configured', client_name: 'Pairwise configured', ...web('pairwise') },
      ],
    });
    clients.set('public-configured', { id: 'public-configured', secret: TEST_CLIENT_SECRET, pairwise: false });
    clients.set('pairwise-configured', { id: 'pairwise-configured', secret: TEST_CLIENT_SECRET, pairwise: true });
    for (const subjectType of ['public', 'pairwise']) {
      const { client_secret: _secret, ...metadata } = web(subjectType);
      const response = await fetch(`${running.baseUrl}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...metadata, client_name: `Registered ${subjectType}` }),
      });
      expect(response.status).toBe(201);
      const registered = (await response.json()) as { client_id: string; client_secret: string };
      clients.set(`${subjectType}-registered`, {
        id: registered.client_id,
        secret: registered.client_secret,
        pairwise: subjectType === 'pairwise',
      });
    }
  });
  afterAll(async () => {
    receiver?.close();
    await running?.stop();
    await node?.stop();
  });

  for (const kind of ['public-configured', 'pairwise-configured', 'public-registered', 'pairwise-registered']) {
    it(`${kind}: ID token, userinfo, introspection, JWT access token and logout token carry only what consent showed`, async () => {
      const client = clients.get(kind)!;
      const metadata = (
        await oidc.discovery(new URL(running.baseUrl), client.id, client.secret, undefined, { execute: [oidc.allowInsecureRequests] })
      ).serverMetadata();
      const config = new oidc.Configuration(metadata, client.id, client.secret);
      oidc.allowInsecureRequests(config);
      for (const scopes of SCOPE_SETS) {
        const scope = ['openid', ...scopes, 'api:read'].join(' ');
        const browser = new HttpBrowser(running.baseUrl);
        const request = await authorizationRequest(config, `${rpOrigin}/cb`, scope, { resource: API });
        const login = await openLogin(browser, request.url);
        const posted = await submitSignature(browser, login, person.address, sign(person, login.text));
        const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
        const lines = [...consent.body.matchAll(/<li>([^<]*)/g)]
          .map((m) => m[1]!.trim())
          .filter((line) => !/^(Assets|Tags|Groups):/.test(line));
        for (const line of lines) expect(LINE_CLAIMS, `unknown consent line "${line}"`).toHaveProperty([line]);
        const shown = [...new Set(lines.flatMap((line) => LINE_CLAIMS[line]!))].sort();
        const context = `${kind} with ${scope}`;

        const callback = await finishToRelyingParty(browser, consent, `${rpOrigin}/cb`);
        const tokens = await oidc.authorizationCodeGrant(
          config,
          callback,
          { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce },
          { resource: API },
        );
        const idToken = tokens.claims()!;
        expect(personClaims(idToken), `ID token: ${context}`).toEqual(shown);
        const sub = idToken.sub;
        expect(sub === person.address, `sub: ${context}`).toBe(!client.pairwise);

        const jwt = decodeJwt(tokens.access_token);
        expect(jwt.aud).toBe(API);
        expect(personClaims(jwt), `JWT access token: ${context}`).toEqual(['sub']);
        expect(jwt.sub, `JWT access token sub: ${context}`).toBe(sub);

        // An access token for userinfo (no resource) from the refresh token.
        const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
        const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, sub);
        expect(personClaims(userinfo), `userinfo: ${context}`).toEqual(shown);
        expect(personClaims(refreshed.claims()!), `refreshed ID token: ${context}`).toEqual(shown);

        const introspection = await oidc.tokenIntrospection(config, refreshed.access_token);
        expect(introspection.active).toBe(true);
        expect(personClaims(introspection), `introspection: ${context}`).toEqual(['sub']);
        expect(introspection.sub, `introspection sub: ${context}`).toBe(sub);

        const before = logoutTokens.length;
        const confirm = await browser.navigate(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
        const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
        await browser.request(new URL(action, running.baseUrl).href, { form: { xsrf, logout: 'yes' } });
        await expect.poll(() => logoutTokens.length).toBeGreaterThan(before);
        const logout = decodeJwt(logoutTokens[logoutTokens.length - 1]!);
        expect(logout.aud).toBe(client.id);
        expect(personClaims(logout), `logout token: ${context}`).toEqual(['sub']);
        expect(logout.sub, `logout token sub: ${context}`).toBe(sub);
      }
    });
  }
});
