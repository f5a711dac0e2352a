import * as oidc from 'openid-client';
import { signMessage } from '../../src/evrmore/signer.js';
import { NETWORKS } from '../../src/evrmore/network.js';
import { elementText, inputValue, type HttpBrowser, type Page } from './browser.js';
import { TEST_CLIENT_SECRET } from './product.js';

/** Public test keys (test/evrmore/vectors.ts): never fund them. */
export const KEYS = {
  compressed: {
    wif: 'KwS1DUSPM5vGQ1b5XCd1BaQrKyDc2sfKr6eGFwdQrmX1MhkYor83',
    address: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
    network: NETWORKS.mainnet,
  },
  uncompressed: {
    wif: '5Hxn5C4SQuiV6e62A1MtZmbSeQyrLFhu5uYks62pU5VBUygK2KD',
    address: 'EYYBz3NduASgxQLqBut72bXGi86M9HsghK',
    network: NETWORKS.mainnet,
  },
  testnet: {
    wif: 'cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N',
    address: 'mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB',
    network: NETWORKS.testnet,
  },
} as const;
export type TestKey = (typeof KEYS)[keyof typeof KEYS];

export function sign(key: TestKey, text: string): string {
  return signMessage(text, key.wif, key.network);
}

export interface LoginPage {
  page: Page;
  uid: string;
  text: string;
  challengeId: string;
}

export function readLoginPage(page: Page): LoginPage {
  const uid = /\/interaction\/([A-Za-z0-9_-]+)/.exec(page.url)?.[1];
  const text = elementText(page.body, 'challenge');
  const challengeId = inputValue(page.body, 'challenge_id');
  if (!uid || !text || !challengeId) throw new Error(`not a login page (${page.status} ${page.url}): ${page.body.slice(0, 300)}`);
  return { page, uid, text, challengeId };
}

/** Opens the authorization URL in the browser and returns the login page it lands on. */
export async function openLogin(browser: HttpBrowser, authorizationUrl: URL | string): Promise<LoginPage> {
  return readLoginPage(await browser.navigate(String(authorizationUrl)));
}

export async function submitSignature(
  browser: HttpBrowser,
  login: LoginPage,
  address: string,
  signature: string,
  challengeId = login.challengeId,
): Promise<Page> {
  return browser.request(`/interaction/${login.uid}/login`, { form: { address, signature, challenge_id: challengeId } });
}

/**
 * The desktop after the phone signed: its script posts the continue form, the page asks
 * "Continue as <address>?", and the person confirms that address.
 */
export async function continueAfterPhone(browser: HttpBrowser, login: LoginPage): Promise<Page> {
  const asked = await browser.request(`/interaction/${login.uid}/continue`, { form: {} });
  const address = asked.status === 200 ? inputValue(asked.body, 'address') : undefined;
  if (!address) return asked;
  return browser.request(`/interaction/${login.uid}/continue`, { form: { address } });
}

/**
 * From a submitted login, follows the flow to the relying party: accepts consent when shown,
 * and returns the redirect_uri URL with the code.
 */
export async function finishToRelyingParty(browser: HttpBrowser, afterLogin: Page, redirectUri: string): Promise<URL> {
  let page = afterLogin;
  for (let step = 0; step < 5; step += 1) {
    if (page.status >= 300 && page.status < 400) {
      const location = new URL(page.headers.get('location')!, page.url).href;
      if (location.startsWith(redirectUri)) return new URL(location);
      page = await browser.navigate(location, {}, redirectUri);
      if (page.url.startsWith(redirectUri)) return new URL(page.url);
      continue;
    }
    const confirm = /action="(\/interaction\/[^"]+\/confirm)"/.exec(page.body)?.[1];
    if (page.status === 200 && confirm) {
      page = await browser.request(confirm, { form: {} });
      continue;
    }
    throw new Error(`unexpected page ${page.status} ${page.url}: ${page.body.slice(0, 500)}`);
  }
  throw new Error('too many steps');
}

/** Sign in with `key` from the authorization URL to the relying party's redirect. */
export async function signIn(browser: HttpBrowser, authorizationUrl: URL, key: TestKey, redirectUri: string): Promise<URL> {
  const login = await openLogin(browser, authorizationUrl);
  const posted = await submitSignature(browser, login, key.address, sign(key, login.text));
  return finishToRelyingParty(browser, posted, redirectUri);
}

export async function discover(baseUrl: string, clientId = 'rp'): Promise<oidc.Configuration> {
  const auth = clientId === 'spa' ? oidc.None() : oidc.ClientSecretBasic(TEST_CLIENT_SECRET);
  return oidc.discovery(new URL(baseUrl), clientId, clientId === 'spa' ? undefined : TEST_CLIENT_SECRET, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(
  config: oidc.Configuration,
  redirectUri: string,
  scope = 'openid profile evrmore',
  extra: Record<string, string> = {},
): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}
