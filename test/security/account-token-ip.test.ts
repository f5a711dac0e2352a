/**
 * The account page exchanges its code at our own token endpoint over a back-channel from
 * 127.0.0.1. That exchange must count under the browser's IP: under 127.0.0.1, every user of
 * the account page would share one bucket of the token limit, and anyone's token requests from
 * that address would lock them all out. Nobody can claim another IP for it either.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { startProduct, tokenRequest, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, type Page } from '../support/browser.js';
import { KEYS, readLoginPage, sign } from '../support/wallet.js';

let product: RunningProduct | undefined;
afterEach(async () => {
  await product?.stop();
  product = undefined;
});

/** A browser behind the trusted proxy at `ip`: follows redirects, every request from that IP. */
async function accountSignIn(browser: HttpBrowser, ip: string): Promise<Page> {
  const headers = { 'x-forwarded-for': ip };
  const follow = async (first: Page) => {
    let page = first;
    for (let hops = 0; hops < 10 && page.status >= 300 && page.status < 400; hops += 1) {
      page = await browser.request(new URL(page.headers.get('location')!, page.url).href, { headers });
    }
    return page;
  };
  const login = readLoginPage(await follow(await browser.request('/account', { headers })));
  const key = KEYS.compressed;
  const posted = await browser.request(`/interaction/${login.uid}/login`, {
    form: { address: key.address, signature: sign(key, login.text), challenge_id: login.challengeId },
    headers,
  });
  return follow(posted);
}

describe("the account page's token requests", () => {
  it("count under the browser's IP, not under 127.0.0.1 shared by every account-page user", async () => {
    product = await startProduct({ store: 'redis', env: { TRUST_PROXY: 'true', RATE_LIMIT_TOKEN: '3/1m' } });
    // Someone spends the token limit of 127.0.0.1 (the back-channel's own address).
    for (let i = 0; i < 3; i += 1) expect((await tokenRequest(product.baseUrl)).status).toBe(400);
    expect((await tokenRequest(product.baseUrl)).status).toBe(429);

    // A person at another IP still signs in to the account page.
    const page = await accountSignIn(new HttpBrowser(product.baseUrl), '198.51.100.9');
    expect(page.status).toBe(200);
    expect(elementText(page.body, 'account-address')).toBe(KEYS.compressed.address);
    expect(product.logs.some((l) => l.event === 'token.issued' && l.client_id === 'account' && l.type === 'access_token')).toBe(true);
  });

  it('stay limited: a browser whose own IP spent the limit is refused, and no header claims another IP', async () => {
    product = await startProduct({ store: 'redis', env: { TRUST_PROXY: 'true', RATE_LIMIT_TOKEN: '3/1m' } });
    const ip = '203.0.113.50';
    for (let i = 0; i < 3; i += 1) expect((await tokenRequest(product.baseUrl, { 'x-forwarded-for': ip })).status).toBe(400);
    // The back-channel's ticket header means nothing on the public listener.
    const claimed = await tokenRequest(product.baseUrl, { 'x-forwarded-for': ip, 'x-evrmore-backchannel-ticket': 'anything' });
    expect(claimed.status).toBe(429);

    const page = await accountSignIn(new HttpBrowser(product.baseUrl), ip);
    expect(page.status).toBe(400);
    expect(product.logs.some((l) => l.event === 'account.signin_failed')).toBe(true);
    expect(product.logs.some((l) => l.event === 'token.issued' && l.client_id === 'account' && l.type === 'access_token')).toBe(false);
  });
});
