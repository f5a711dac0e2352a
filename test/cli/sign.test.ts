import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NETWORKS, verifyMessage } from '../../src/evrmore/index.js';
import { CORE_VECTORS } from '../evrmore/vectors.js';
import { hasStackTrace, MAINNET_ADDRESS, MAINNET_WIF, run, TESTNET_ADDRESS, TESTNET_WIF } from './helpers.js';
import { startWalletServer, type WalletServer } from './wallet-server.js';

const HELLO_SIGNATURE = 'IOroiZddQJJt2LvvdwEOUpeOpoYtx7/qN/xc2xRiuPcvI1jEnSzIVnqH5mpzQyOQE234Ili6NpK2LFDwwI9mrdU=';

describe('sign --text', () => {
  it('reproduces the known-answer vector byte for byte, and it verifies', async () => {
    const result = await run(['sign', '--text', 'Hello Evrmore'], { env: { EVRMORE_WIF: MAINNET_WIF } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${HELLO_SIGNATURE}\n`);
    expect(result.stderr).toContain(MAINNET_ADDRESS);
    expect(result.stdinReads).toBe(0);
    expect(verifyMessage(MAINNET_ADDRESS, 'Hello Evrmore', result.stdout.trim(), NETWORKS.mainnet)).toEqual({
      ok: true,
      address: MAINNET_ADDRESS,
    });
  });

  it.each(CORE_VECTORS.map((v) => [v.name, v]))('matches Evrmore Core: %s', async (_name, vector) => {
    const result = await run(['sign', '--text', vector.message, '--network', vector.network], { env: { EVRMORE_WIF: vector.wif! } });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(vector.signature);
  });

  it('--json prints address and signature as JSON', async () => {
    const result = await run(['sign', '--text', 'Hello Evrmore', '--json'], { env: { EVRMORE_WIF: MAINNET_WIF } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      address: MAINNET_ADDRESS,
      network: 'mainnet',
      message: 'Hello Evrmore',
      signature: HELLO_SIGNATURE,
    });
  });

  it('reads the key from the first line of standard input with --wif-stdin', async () => {
    const result = await run(['sign', '--text', 'Hello Evrmore', '--wif-stdin'], { stdin: `${MAINNET_WIF}\nsomething else\n` });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(HELLO_SIGNATURE);
    expect(result.stdinReads).toBe(1);
  });

  it('prefers standard input over EVRMORE_WIF when --wif-stdin is given', async () => {
    const result = await run(['sign', '--text', 'x', '--wif-stdin', '--network', 'testnet', '--json'], {
      env: { EVRMORE_WIF: MAINNET_WIF },
      stdin: `${TESTNET_WIF}\r\n`,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).address).toBe(TESTNET_ADDRESS);
  });

  it('refuses empty standard input (exit 1)', async () => {
    const result = await run(['sign', '--text', 'x', '--wif-stdin'], { stdin: '\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('standard input is empty');
  });

  it('without a key says where a key may come from (exit 2)', async () => {
    const result = await run(['sign', '--text', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('EVRMORE_WIF');
    expect(result.stderr).toContain('--wif-stdin');
    expect(result.stdinReads).toBe(0);
  });

  it('refuses a testnet key on mainnet (the default) and says how to fix it', async () => {
    const result = await run(['sign', '--text', 'x'], { env: { EVRMORE_WIF: TESTNET_WIF } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the private key is a testnet key, but the network is mainnet (the default): pass --network testnet');
    expect(result.stdout).toBe('');
  });

  it('refuses a mainnet key with --network testnet', async () => {
    const result = await run(['sign', '--text', 'x', '--network', 'testnet'], { env: { EVRMORE_WIF: MAINNET_WIF } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the private key is a mainnet key, but --network is testnet');
  });

  it('refuses a mistyped key without repeating it (exit 1, one line)', async () => {
    const typo = `${MAINNET_WIF.slice(0, -1)}4`;
    const result = await run(['sign', '--text', 'x'], { env: { EVRMORE_WIF: typo } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('checksum does not match');
    expect(result.stderr).not.toContain(typo);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['sign'], 'missing --text TEXT or --url WALLET_URL'],
    [['sign', '--text'], "Option '--text <value>' argument missing"],
    [['sign', '--text', ''], '--text is empty'],
    [['sign', '--text', 'x', '--url', 'https://id.example.com/w/x'], 'give --text or --url, not both'],
    [['sign', '--text', 'x', '--network', 'regtest'], '--network must be mainnet or testnet (got "regtest")'],
    [['sign', '--text', 'x', '--bogus'], "Unknown option '--bogus'"],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await run(argv, { env: { EVRMORE_WIF: MAINNET_WIF } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: evrmore-accounts sign');
    expect(result.stdout).toBe('');
  });
});

describe('sign --url (a wallet app against the wallet endpoint)', () => {
  let server: WalletServer;
  beforeEach(async () => {
    server = await startWalletServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const signUrl = (extra: string[] = [], env = { EVRMORE_WIF: MAINNET_WIF }) =>
    run(['sign', '--url', server.walletUrl, ...extra], { env, fetch: globalThis.fetch });

  it('fetches the challenge, signs its text and posts {address, signature} as JSON', async () => {
    const result = await signUrl();
    expect(result.code).toBe(0);
    expect(server.posts).toHaveLength(1);
    const [post] = server.posts;
    expect(post!.contentType).toBe('application/json');
    const body = post!.body as { address: string; signature: string };
    expect(Object.keys(body).sort()).toEqual(['address', 'signature']);
    expect(body.address).toBe(MAINNET_ADDRESS);
    const text = (server.challenge.body as { text: string }).text;
    expect(verifyMessage(body.address, text, body.signature, NETWORKS.mainnet)).toEqual({ ok: true, address: MAINNET_ADDRESS });
    expect(result.stdout).toBe('Signed. The sign-in continues on the computer where it started.\n');
    expect(result.stderr).toContain(text);
  });

  it('--json prints the server answer as it came', async () => {
    const result = await signUrl(['--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'signed',
      address: MAINNET_ADDRESS,
      message: 'Signed. The sign-in continues on the computer where it started.',
    });
  });

  it('reads the key from standard input', async () => {
    const result = await run(['sign', '--url', server.walletUrl, '--wif-stdin'], { stdin: `${MAINNET_WIF}\n`, fetch: globalThis.fetch });
    expect(result.code).toBe(0);
    expect((server.posts[0]!.body as { address: string }).address).toBe(MAINNET_ADDRESS);
  });

  it('takes the network from the challenge: a testnet challenge is signed with a testnet key', async () => {
    await server.close();
    server = await startWalletServer('testnet');
    const result = await signUrl([], { EVRMORE_WIF: TESTNET_WIF });
    expect(result.code).toBe(0);
    expect((server.posts[0]!.body as { address: string }).address).toBe(TESTNET_ADDRESS);
  });

  it("refuses a key of another network than the challenge's, before posting", async () => {
    await server.close();
    server = await startWalletServer('testnet');
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the private key is a mainnet key, but the challenge at ${server.host} is for testnet`);
    expect(server.posts).toHaveLength(0);
  });

  it('refuses a challenge of another network than --network', async () => {
    const result = await signUrl(['--network', 'testnet'], { EVRMORE_WIF: TESTNET_WIF });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the challenge is for mainnet, but --network is testnet');
    expect(server.posts).toHaveLength(0);
  });

  it('prints the error_description of a 4xx answer and exits 1', async () => {
    server.answer = () => ({
      status: 400,
      body: { error: 'signature_mismatch', error_description: 'The signature does not match this address and message' },
    });
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The signature does not match this address and message');
    expect(result.stdout).toBe('');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('reports an unknown sign-in code (404 on GET) with the server description', async () => {
    const result = await run(['sign', '--url', `${server.origin}/w/unknown`], {
      env: { EVRMORE_WIF: MAINNET_WIF },
      fetch: globalThis.fetch,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('This sign-in code does not exist or has expired.');
  });

  it.each([
    ['expired', 'has expired'],
    ['signed', 'already been signed'],
    ['redeemed', 'already been used'],
  ])('refuses a challenge in state %s without posting', async (state, message) => {
    server.challenge.body = { ...(server.challenge.body as object), state };
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(server.posts).toHaveLength(0);
  });

  it('refuses a challenge whose text names another host (a relayed sign-in, QR-jacking)', async () => {
    const body = server.challenge.body as { text: string };
    server.challenge.body = { ...body, text: body.text.replace(server.host, 'id.example.com') };
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`does not name ${server.host}`);
    expect(server.posts).toHaveLength(0);
  });

  it('refuses to send the signature to another origin', async () => {
    const body = server.challenge.body as { submit: object };
    server.challenge.body = { ...body, submit: { ...body.submit, url: 'https://elsewhere.example/w/x' } };
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('https://elsewhere.example');
    expect(server.posts).toHaveLength(0);
  });

  it('refuses an answer that is not a challenge', async () => {
    server.challenge.body = { hello: 'world' };
    const result = await signUrl();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not answer with a sign-in challenge');
  });

  it('reports an unreachable server in one line (exit 1)', async () => {
    const url = server.walletUrl;
    await server.close();
    const result = await run(['sign', '--url', url], { env: { EVRMORE_WIF: MAINNET_WIF }, fetch: globalThis.fetch });
    server = await startWalletServer();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^evrmore-accounts sign: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['http://id.example.com/w/x', 'must be https'],
    ['not a url', '--url is not a URL'],
  ])('refuses --url %s before any request (exit 2)', async (url, message) => {
    let requests = 0;
    const result = await run(['sign', '--url', url], {
      env: { EVRMORE_WIF: MAINNET_WIF },
      fetch: async () => {
        requests += 1;
        return new Response('{}');
      },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(requests).toBe(0);
  });
});
