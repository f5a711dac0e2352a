/**
 * `clients add --device` (a device-flow client: no redirect URIs, RFC 8628) and
 * `clients add --logo FILE` (the logo embedded as the data: URI the pages' CSP loads), written
 * by the CLI and served by the real product.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_CODE_GRANT, loadConfig } from '../../src/config/index.js';
import { HttpBrowser } from '../support/browser.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { authorizationRequest, openLogin } from '../support/wallet.js';
import { run, tempDir } from './helpers.js';

type Client = Record<string, unknown> & { client_id: string };

/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const SVG =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#c33"/></svg>\n';
const REDIRECT = 'http://127.0.0.1:9/cb';

describe('clients add --device and --logo', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = join(dir, 'clients.json');
  });
  afterEach(async () => cleanup());

  const add = (...extra: string[]) => run(['clients', 'add', '--file', file, ...extra], { cwd: dir });
  const readClients = async () => JSON.parse(await readFile(file, 'utf8')) as Client[];

  it('--device writes a client without redirect URIs that the configuration accepts', async () => {
    const result = await add('--id', 'tv', '--name', 'Living room TV', '--device', '--public', '--refresh');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('public device client');
    expect(await readClients()).toEqual([
      {
        client_id: 'tv',
        client_name: 'Living room TV',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
      },
    ]);
    expect(loadConfig({ CLIENTS_FILE: file }, dir).clients).toHaveLength(1);
    expect((await run(['clients', 'list', '--file', file])).stdout).toMatch(/tv +Living room TV +public, device +-/);
  });

  it('--device refuses redirect URIs and --first-party (exit 2), and writes nothing', async () => {
    for (const extra of [['--redirect-uri', REDIRECT], ['--post-logout-redirect-uri', REDIRECT], ['--first-party']]) {
      const result = await add('--id', 'tv', '--device', ...extra);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/device/);
    }
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the configuration accepts "redirect_uris": [] for a device client, and names the problem for a web client', async () => {
    await writeFile(
      file,
      JSON.stringify([
        { client_id: 'tv', redirect_uris: [], grant_types: [DEVICE_CODE_GRANT], response_types: [], token_endpoint_auth_method: 'none' },
      ]),
    );
    expect(loadConfig({ CLIENTS_FILE: file }, dir).clients[0]!.client_id).toBe('tv');
    await writeFile(file, JSON.stringify([{ client_id: 'web', redirect_uris: [] }]));
    expect(() => loadConfig({ CLIENTS_FILE: file }, dir)).toThrow(/client "web" needs at least one redirect_uri, or is a device client/);
  });

  it.each([
    ['logo.png', PNG, 'png'],
    ['logo.svg', Buffer.from(SVG), 'svg+xml'],
  ])('--logo %s is stored as a data: URI', async (name, bytes, type) => {
    await writeFile(join(dir, name), bytes);
    const result = await add('--id', 'shop', '--redirect-uri', REDIRECT, '--logo', name);
    expect(result.code, result.stderr).toBe(0);
    expect((await readClients())[0]!.logo_uri).toBe(`data:image/${type};base64,${bytes.toString('base64')}`);
    expect(loadConfig({ CLIENTS_FILE: file }, dir).clients).toHaveLength(1);
  });

  it('--logo refuses what is not an image, a file too large and a missing file, and writes nothing', async () => {
    await writeFile(join(dir, 'notes.txt'), 'just text');
    await writeFile(join(dir, 'huge.png'), Buffer.concat([PNG, Buffer.alloc(70 * 1024)]));
    expect(await add('--id', 'a', '--redirect-uri', REDIRECT, '--logo', 'notes.txt')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a PNG, JPEG, GIF, WebP or SVG image/),
    });
    expect(await add('--id', 'a', '--redirect-uri', REDIRECT, '--logo', 'huge.png')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/at most 64 KiB/),
    });
    expect(await add('--id', 'a', '--redirect-uri', REDIRECT, '--logo', 'missing.png')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot read the logo .*missing\.png \(ENOENT\)/),
    });
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the configuration names a data: logo_uri that is not an image', async () => {
    await writeFile(
      file,
      JSON.stringify([{ client_id: 'web', redirect_uris: [REDIRECT], logo_uri: 'data:text/html;base64,PHNjcmlwdD4=' }]),
    );
    expect(() => loadConfig({ CLIENTS_FILE: file }, dir)).toThrow(/client "web" has a logo_uri data: URI that is not a base64 PNG/);
  });
});

describe('device and logo clients from the CLI, served by the product', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let running: RunningProduct;
  let secret: string;
  const logo = `data:image/png;base64,${PNG.toString('base64')}`;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const file = join(dir, 'clients.json');
    await writeFile(join(dir, 'logo.png'), PNG);
    expect(
      (await run(['clients', 'add', '--file', file, '--id', 'tv', '--name', 'Living room TV', '--device', '--public'], { cwd: dir })).code,
    ).toBe(0);
    const shop = await run(
      ['clients', 'add', '--file', file, '--id', 'shop', '--name', 'Shop', '--redirect-uri', REDIRECT, '--logo', 'logo.png'],
      { cwd: dir },
    );
    expect(shop.code).toBe(0);
    secret = /^client_secret: (\S+)$/m.exec(shop.stdout)![1]!;
    running = await startProduct({ store: 'memory', env: { CLIENTS_FILE: file, REGISTRATION: 'open' } });
  });
  afterAll(async () => {
    await running?.stop();
    await cleanup();
  });

  it('a device client gets a device code and cannot start a browser sign-in', async () => {
    const response = await fetch(`${running.baseUrl}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'tv', scope: 'openid' }),
    });
    expect(response.status).toBe(200);
    const { user_code: userCode } = (await response.json()) as { user_code: string };
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    // It cannot start a browser sign-in: it has no redirect URI.
    const auth = await fetch(
      `${running.baseUrl}/auth?client_id=tv&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      { redirect: 'manual' },
    );
    expect(auth.status).toBe(400);
  });

  it('the sign-in page shows the logo, which the Content-Security-Policy allows', async () => {
    const config = await oidc.discovery(new URL(running.baseUrl), 'shop', secret, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const request = await authorizationRequest(config, REDIRECT);
    const login = await openLogin(new HttpBrowser(running.baseUrl), request.url);
    expect(login.page.body).toContain(`<img class="client-logo" src="${logo}"`);
    const imgSrc = /(?:^|;)\s*img-src ([^;]*)/.exec(login.page.headers.get('content-security-policy')!)![1]!.split(' ');
    expect(imgSrc).toContain('data:');
  });

  it('a self-registered client cannot embed a logo', async () => {
    const response = await fetch(`${running.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], logo_data_uri: logo }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/cannot be registered dynamically/),
    });
  });
});
