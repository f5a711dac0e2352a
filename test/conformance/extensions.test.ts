/**
 * Beyond the Basic OP plan: logout everywhere (RP-Initiated, Back-Channel and Front-Channel
 * Logout 1.0), pushed authorization requests (RFC 9126), JWT access tokens through resource
 * indicators (RFC 8707, RFC 9068), pairwise subjects (OIDC Core §8.1), login_hint, fragment
 * response mode, private_key_jwt and DPoP (RFC 9449) — and a discovery document that tells the
 * truth: every advertised value is exercised here or in basic-op/device-flow, and every feature
 * we serve is advertised.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { startProduct, defaultClients, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { en } from '../../src/i18n/en.js';
import { de } from '../../src/i18n/de.js';
import {
  KEYS,
  authorizationRequest,
  discover,
  finishToRelyingParty,
  openLogin,
  sign,
  signIn,
  submitSignature,
  type AuthRequest,
} from '../support/wallet.js';

const API = 'https://api.example.test/';

describe('logout, PAR, JWT access tokens, pairwise subjects, and truthful discovery', () => {
  let running: RunningProduct;
  let rp: oidc.Configuration;
  let relyingParty: Server;
  let rpOrigin: string;
  const backchannel: string[] = [];
  let privateKey: CryptoKey;

  beforeAll(async () => {
    // The relying party's own server, receiving back-channel logout tokens (§2.5).
    const rpPort = await freePort();
    rpOrigin = `http://127.0.0.1:${rpPort}`;
    relyingParty = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/backchannel') backchannel.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    relyingParty.listen(rpPort, '127.0.0.1');
    await once(relyingParty, 'listening');

    const keys = await generateKeyPair('ES256', { extractable: true });
    privateKey = keys.privateKey;
    const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'rp-key', alg: 'ES256', use: 'sig' };

    const dir = mkdtempSync(join(tmpdir(), 'evr-resources-'));
    const resources = join(dir, 'resources.json');
    writeFileSync(resources, JSON.stringify([{ resource: API, scopes: ['api:read', 'api:write'], clients: ['rp'] }]));

    running = await startProduct({
      store: 'redis',
      env: { RESOURCE_SERVERS_FILE: resources, OUTBOUND_ALLOW: '127.0.0.1' },
      clients: (redirectUri) => [
        ...defaultClients(redirectUri).map((client) =>
          client.client_id === 'rp'
            ? {
                ...client,
                backchannel_logout_uri: `${rpOrigin}/backchannel`,
                backchannel_logout_session_required: true,
                frontchannel_logout_uri: `${rpOrigin}/frontchannel`,
                frontchannel_logout_session_required: true,
              }
            : client,
        ),
        {
          client_id: 'pw',
          client_secret: TEST_CLIENT_SECRET,
          client_name: 'Pairwise RP',
          subject_type: 'pairwise',
          redirect_uris: [redirectUri],
        },
        {
          client_id: 'pw-other',
          client_secret: TEST_CLIENT_SECRET,
          client_name: 'Other sector',
          subject_type: 'pairwise',
          redirect_uris: [redirectUri.replace('127.0.0.1', 'localhost')],
        },
        {
          client_id: 'pkjwt',
          client_name: 'Private key JWT RP',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          jwks: { keys: [publicJwk] },
          redirect_uris: [redirectUri],
        },
      ],
    });
    rp = await discover(running.baseUrl);
  });
  afterAll(async () => {
    relyingParty?.close();
    await running?.stop();
  });

  const exchange = (config: oidc.Configuration, callback: URL, request: AuthRequest, parameters?: Record<string, string>) =>
    oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce },
      parameters,
    );
  const confidential = (clientId: string) =>
    oidc.discovery(new URL(running.baseUrl), clientId, TEST_CLIENT_SECRET, oidc.ClientSecretBasic(TEST_CLIENT_SECRET), {
      execute: [oidc.allowInsecureRequests],
    });

  it('logs out everywhere: session list, back-channel logout token with sid, front-channel iframes, registered post_logout_redirect_uri only', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri);
    const tokens = await exchange(rp, await signIn(browser, request.url, KEYS.compressed, running.redirectUri), request);
    const sid = tokens.claims()!.sid as string;
    expect(sid).toBeTruthy();

    // An unregistered post_logout_redirect_uri is refused (RP-Initiated Logout §2).
    const foreign = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://attacker.example/' });
    const refused = await browser.navigate(foreign.href);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(/post_logout_redirect_uri/);

    const loggedOut = running.redirectUri.replace('/cb', '/logged-out');
    const confirm = await browser.navigate(
      oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: loggedOut }).href,
    );
    expect(confirm.status).toBe(200);
    expect(elementText(confirm.body, 'sessions')).toContain('Test RP');
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await browser.request(new URL(action, running.baseUrl).href, { form: { xsrf, logout: 'yes' } });

    // Front-channel: a page that loads the RP's logout URI with iss and sid, then moves on.
    expect(done.status).toBe(200);
    const frame = /<iframe[^>]*src="([^"]+)"/.exec(done.body)![1]!.replace(/&amp;/g, '&');
    const frameUrl = new URL(frame);
    expect(frameUrl.origin + frameUrl.pathname).toBe(`${rpOrigin}/frontchannel`);
    expect(frameUrl.searchParams.get('iss')).toBe(running.baseUrl);
    expect(frameUrl.searchParams.get('sid')).toBe(sid);
    expect(done.body).toContain(`content="2;url=${loggedOut}"`);
    expect(done.headers.get('content-security-policy')).toContain(`frame-src ${rpOrigin}`);

    // Back-channel: a logout token the RP can verify (Back-Channel Logout §2.4, §2.6).
    expect(backchannel).toHaveLength(1);
    const { payload, protectedHeader } = await jwtVerify(backchannel[0]!, createRemoteJWKSet(new URL(`${running.baseUrl}/jwks`)), {
      issuer: running.baseUrl,
      audience: 'rp',
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sid).toBe(sid);
    expect(payload.sub).toBe(KEYS.compressed.address);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload).not.toHaveProperty('nonce');
    // The session's tokens are gone.
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
  });

  it('accepts a pushed authorization request (RFC 9126) and signs in with its request_uri', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(rp, {
      redirect_uri: running.redirectUri,
      scope: 'openid evrmore',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(url.searchParams.has('redirect_uri')).toBe(false);
    const callback = await signIn(new HttpBrowser(running.baseUrl), url, KEYS.compressed, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.evrmore_address).toBe(KEYS.compressed.address);
    // A request_uri is single use.
    const again = await new HttpBrowser(running.baseUrl).navigate(url.href, {}, running.redirectUri);
    expect(again.status).toBe(400);
  });

  it('issues JWT access tokens for a registered API through resource indicators (RFC 8707, RFC 9068)', async () => {
    const request = await authorizationRequest(rp, running.redirectUri, 'openid api:read', { resource: API });
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, request.url);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    const callback = await finishToRelyingParty(browser, posted, running.redirectUri);
    const tokens = await exchange(rp, callback, request, { resource: API });
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${running.baseUrl}/jwks`)), {
      issuer: running.baseUrl,
      audience: API,
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: KEYS.compressed.address, client_id: 'rp', scope: 'api:read' });

    const unknown = await authorizationRequest(rp, running.redirectUri, 'openid', { resource: 'https://unknown.example/' });
    const refused = new URL((await new HttpBrowser(running.baseUrl).navigate(unknown.url.href, {}, running.redirectUri)).url);
    expect(refused.searchParams.get('error')).toBe('invalid_target');
    // The API is registered for "rp" only.
    const spa = await discover(running.baseUrl, 'spa');
    const other = await authorizationRequest(spa, running.redirectUri, 'openid api:read', { resource: API });
    expect(
      new URL((await new HttpBrowser(running.baseUrl).navigate(other.url.href, {}, running.redirectUri)).url).searchParams.get('error'),
    ).toBe('invalid_target');
  });

  it('gives pairwise clients a stable per-sector sub, and the address only with the evrmore scope', async () => {
    const pw = await confidential('pw');
    const other = await confidential('pw-other');
    const subFor = async (config: oidc.Configuration, scope: string) => {
      const request = await authorizationRequest(config, running.redirectUri, scope);
      const tokens = await exchange(
        config,
        await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri),
        request,
      );
      return { claims: tokens.claims()!, userinfo: await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck) };
    };
    const otherRequest = async () => {
      const request = await authorizationRequest(other, running.redirectUri.replace('127.0.0.1', 'localhost'), 'openid profile');
      const tokens = await exchange(
        other,
        await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri.replace('127.0.0.1', 'localhost')),
        request,
      );
      return tokens.claims()!.sub;
    };
    const first = await subFor(pw, 'openid profile');
    const second = await subFor(pw, 'openid profile');
    expect(first.claims.sub).not.toBe(KEYS.compressed.address);
    expect(first.claims.sub).toBe(second.claims.sub);
    expect(first.userinfo.sub).toBe(first.claims.sub);
    for (const claims of [first.claims, first.userinfo]) {
      expect(claims).not.toHaveProperty('preferred_username');
      expect(JSON.stringify(claims)).not.toContain(KEYS.compressed.address);
    }
    const withAddress = await subFor(pw, 'openid evrmore profile');
    expect(withAddress.claims.sub).toBe(first.claims.sub);
    expect(withAddress.claims.evrmore_address).toBe(KEYS.compressed.address);
    expect(withAddress.userinfo.preferred_username).toBe(KEYS.compressed.address);
    // Another sector, another sub.
    expect(await otherRequest()).not.toBe(first.claims.sub);
    // Public clients keep the address as sub.
    const request = await authorizationRequest(rp, running.redirectUri, 'openid');
    expect(
      (
        await exchange(rp, await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri), request)
      ).claims()!.sub,
    ).toBe(KEYS.compressed.address);
  });

  it('login_hint names the expected address and refuses another, on the page and at the wallet URL', async () => {
    const request = await authorizationRequest(rp, running.redirectUri, 'openid', { login_hint: KEYS.uncompressed.address });
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, request.url);
    expect(elementText(login.page.body, 'expected-address')).toContain(KEYS.uncompressed.address);
    const wallet = (await (
      await fetch(`${running.baseUrl}/w/${login.challengeId}`, { headers: { accept: 'application/json' } })
    ).json()) as Record<string, unknown>;
    expect(wallet.expected_address).toBe(KEYS.uncompressed.address);
    const phone = await fetch(`${running.baseUrl}/w/${login.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, login.text) }),
    });
    expect(phone.status).toBe(400);
    expect(await phone.json()).toMatchObject({ error: 'login_hint_mismatch' });
    const wrong = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(wrong.status).toBe(400);
    expect(elementText(wrong.body, 'error')).toContain(KEYS.uncompressed.address);
    const right = await submitSignature(browser, login, KEYS.uncompressed.address, sign(KEYS.uncompressed, login.text));
    const tokens = await exchange(rp, await finishToRelyingParty(browser, right, running.redirectUri), request);
    expect(tokens.claims()!.sub).toBe(KEYS.uncompressed.address);
  });

  it('serves the fragment response mode, private_key_jwt client authentication and DPoP-bound tokens', async () => {
    const fragment = await authorizationRequest(rp, running.redirectUri, 'openid', { response_mode: 'fragment' });
    const landed = await signIn(new HttpBrowser(running.baseUrl), fragment.url, KEYS.compressed, running.redirectUri);
    const params = new URLSearchParams(landed.hash.slice(1));
    expect(params.get('code')).toBeTruthy();
    expect(params.get('state')).toBe(fragment.state);

    const pkjwt = await oidc.discovery(
      new URL(running.baseUrl),
      'pkjwt',
      undefined,
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'rp-key' }),
      { execute: [oidc.allowInsecureRequests] },
    );
    const request = await authorizationRequest(pkjwt, running.redirectUri);
    const dpopKeys = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(pkjwt, dpopKeys);
    const tokens = await oidc.authorizationCodeGrant(
      pkjwt,
      await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri),
      { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce },
      undefined,
      { DPoP },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(tokens.id_token!).aud).toBe('pkjwt');
    const userinfo = await oidc.fetchUserInfo(pkjwt, tokens.access_token, KEYS.compressed.address, { DPoP });
    expect(userinfo.sub).toBe(KEYS.compressed.address);
    // Without the proof, the bound token is useless.
    const stolen = await fetch(`${running.baseUrl}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(stolen.status).toBe(401);
  });

  it('advertises exactly what it serves (OIDC Discovery §3)', async () => {
    const metadata = rp.serverMetadata();
    // Every advertised endpoint answers.
    for (const name of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'device_authorization_endpoint',
      'pushed_authorization_request_endpoint',
    ] as const) {
      const url = metadata[name];
      expect(url, name).toMatch(new RegExp(`^${running.baseUrl}/`));
      const response = await fetch(url as string, {
        method:
          name === 'authorization_endpoint' || name === 'jwks_uri' || name === 'end_session_endpoint' || name === 'userinfo_endpoint'
            ? 'GET'
            : 'POST',
        redirect: 'manual',
      });
      expect(response.status, name).not.toBe(404);
      expect(response.status, name).toBeLessThan(500);
    }
    // Registration is off by default, and not advertised.
    expect(metadata.registration_endpoint).toBeUndefined();
    expect((await fetch(`${running.baseUrl}/reg`, { method: 'POST' })).status).toBe(404);

    // Each advertised value is exercised by this battery (basic-op, device-flow, this file).
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(new Set(metadata.response_modes_supported)).toEqual(new Set(['query', 'fragment', 'form_post']));
    expect(new Set(metadata.grant_types_supported)).toEqual(
      new Set(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    expect(new Set(metadata.token_endpoint_auth_methods_supported)).toEqual(
      new Set(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    );
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(new Set(metadata.subject_types_supported)).toEqual(new Set(['public', 'pairwise']));
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(metadata.acr_values_supported).toEqual(['urn:evrmore:acr:wallet-signature']);
    expect(metadata.claims_parameter_supported).toBe(true);
    expect(metadata.request_parameter_supported ?? false).toBe(false);
    expect(metadata.request_uri_parameter_supported).toBe(false);
    expect(metadata.backchannel_logout_supported).toBe(true);
    expect(metadata.backchannel_logout_session_supported).toBe(true);
    expect(metadata.frontchannel_logout_supported).toBe(true);
    expect(metadata.frontchannel_logout_session_supported).toBe(true);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
    expect(metadata.ui_locales_supported).toEqual(['en', 'de']);
    // Scopes and claims: exactly the ones the product releases (OIDC Core §5.4). `email` is accepted
    // without EMAIL_DOMAIN, but its claim is released only with it.
    expect(new Set(metadata.scopes_supported)).toEqual(new Set(['openid', 'offline_access', 'profile', 'evrmore', 'email']));
    expect(new Set(metadata.claims_supported)).toEqual(
      new Set(['sub', 'acr', 'amr', 'auth_time', 'preferred_username', 'name', 'evrmore_address', 'evrmore_network', 'sid', 'iss']),
    );
  });
});

describe('ui_locales (OIDC Core §3.1.2.1)', () => {
  it('chooses the page language from ui_locales before Accept-Language, falling back to English', async () => {
    const running = await startProduct({ store: 'memory' });
    try {
      const rp = await discover(running.baseUrl);
      const german = await authorizationRequest(rp, running.redirectUri, 'openid', { ui_locales: 'fr-CA de' });
      const page = await new HttpBrowser(running.baseUrl).navigate(german.url.href, { headers: { 'accept-language': 'en' } });
      expect(page.body).toContain('<html lang="de">');
      expect(page.body).toContain('Mit Evrmore anmelden');
      const english = await authorizationRequest(rp, running.redirectUri, 'openid', { ui_locales: 'fr' });
      const fallback = await new HttpBrowser(running.baseUrl).navigate(english.url.href);
      expect(fallback.body).toContain('<html lang="en">');
      expect(fallback.body).toContain('Sign in with Evrmore');
      expect(rp.serverMetadata().ui_locales_supported).toEqual(['en', 'de']);
    } finally {
      await running.stop();
    }
  });

  it('shows no English sentence on a German sign-in, error or landing page', async () => {
    // Every English string without placeholders whose German differs, as EJS escapes it.
    const escapeHtml = (text: string) =>
      text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    const englishIn = (body: string) =>
      Object.entries(en)
        .filter(([key, text]) => text.includes(' ') && !text.includes('{') && de[key as keyof typeof en] !== text)
        .map(([, text]) => text)
        .filter((text) => body.includes(escapeHtml(text)));
    const running = await startProduct({ store: 'memory' });
    try {
      const rp = await discover(running.baseUrl);
      const german = await authorizationRequest(rp, running.redirectUri, 'openid', { ui_locales: 'de' });
      const login = await new HttpBrowser(running.baseUrl).navigate(german.url.href);
      expect(login.body).toContain('<html lang="de">');
      expect(englishIn(login.body)).toEqual([]);
      expect(login.body).not.toContain('Error code');

      const unknownClient = new URL(
        '/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Frp.example%2Fcb',
        running.baseUrl,
      );
      const error = await new HttpBrowser(running.baseUrl).navigate(unknownClient.href, { headers: { 'accept-language': 'de' } });
      expect(error.body).toContain('<html lang="de">');
      expect(error.body).toContain(escapeHtml(de['error.oidc.invalid_client']!));
      expect(error.body).toContain(de['error.code']);
      expect(englishIn(error.body)).toEqual([]);

      const landing = await new HttpBrowser(running.baseUrl).navigate(new URL('/', running.baseUrl).href, {
        headers: { 'accept-language': 'de-DE,de;q=0.9' },
      });
      expect(landing.body).toContain(escapeHtml(de['home.rp']!));
      // The links to the developers' documents (in English) keep those documents' titles.
      expect(englishIn(landing.body.replace(/<a href="\/docs\/[^"]*"[^>]*>[^<]*<\/a>/g, ''))).toEqual([]);
    } finally {
      await running.stop();
    }
  });
});
