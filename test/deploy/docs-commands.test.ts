/**
 * The commands of the README's quick start and of each guide's CLI steps, extracted from the
 * Markdown and run as written in a scratch project (the repository's package.json, node_modules
 * and built dist/, nothing else), against a started product where a step needs one. Where a
 * guide shows a placeholder (the "…" of the link under the QR code, a WIF typed by the person),
 * the test puts in what a person would. A guide whose command stops working fails here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, projectPath, ROOT } from './support/build.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { authorizationRequest, discover, openLogin } from '../support/wallet.js';

/** Each shell block of a Markdown file (```sh), its continued lines joined, comment lines dropped. */
function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (/^\s*```(sh|bash|shell)\s*$/.test(line)) current = [];
    else if (/^\s*```/.test(line) && current) {
      blocks.push(
        current
          .join('\n')
          .replace(/\\\n\s*/g, ' ')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#')),
      );
      current = undefined;
    } else current?.push(line);
  }
  return blocks;
}

/** The block of `file` whose commands include `marker`. */
function blockWith(file: string, marker: string): string[] {
  const block = shellBlocks(readFileSync(join(ROOT, file), 'utf8')).find((commands) => commands.some((c) => c.includes(marker)));
  if (!block) throw new Error(`${file} has no shell block with "${marker}" any more`);
  return block;
}

/** A project directory as a fresh clone has it after `npm ci && npm run build`. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evr-docs-'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const name of ['node_modules', 'dist', 'examples']) symlinkSync(join(ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'config'));
  return dir;
}

/** Runs `command` in bash; asynchronous, so that the product in this process answers it meanwhile. */
function sh(
  command: string,
  cwd: string,
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: { PATH: projectPath(), HOME: process.env.HOME ?? tmpdir(), npm_config_update_notifier: 'false', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdin.end(options.input ?? '');
    // A process that waits (the device example polls until someone signs in) is stopped, with
    // its whole group (npm and node under bash).
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, output: `${stdout}\n${stderr}` });
    });
  });
}

/** Runs each command as written; every one must succeed. */
async function runAll(commands: string[], cwd: string): Promise<void> {
  for (const command of commands) {
    const run = await sh(command, cwd);
    expect(run.status, `${command}\n${run.output}`).toBe(0);
  }
}

/** The clients file the guide's commands wrote is one the server accepts. */
async function configAccepts(cwd: string): Promise<void> {
  const check = await sh('npx evrmore-accounts config check', cwd);
  expect(check.status, check.output).toBe(0);
}

describe('commands in the README and the guides work as written', () => {
  let running: RunningProduct;
  beforeAll(async () => {
    await ensureBuilt();
    running = await startProduct({ store: 'memory' });
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
  });

  it('README, "Try it without a wallet": a fresh key signs in through the link under the QR code', { timeout: 120_000 }, async () => {
    const [makeKey, readKey, signUrl, ...rest] = blockWith('README.md', 'wallet new');
    expect(rest).toEqual([]);
    const cwd = scratchProject();
    const made = await sh(makeKey!, cwd);
    expect(made.status, made.output).toBe(0);
    const wif = /private key \(WIF\): (\S+)/.exec(made.stdout)?.[1];
    const address = /address: +(\S+)/.exec(made.stdout)?.[1];
    expect(wif).toBeDefined();

    // A sign-in waiting on the started product; its link stands in for the README's "…".
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, (await authorizationRequest(await discover(running.baseUrl), running.redirectUri)).url);
    const walletUrl = /class="wallet-link"><a href="([^"]+)"/.exec(login.page.body)![1]!;
    expect(signUrl).toMatch(/http:\/\/localhost:3000\/w\/…/);
    const command = `${readKey}\n${signUrl!.replace(/http:\/\/localhost:3000\/w\/…/, walletUrl)}`;
    // The person pastes the WIF that the first command printed.
    const signed = await sh(command, cwd, { input: `${wif}\n` });
    expect(signed.status, signed.output).toBe(0);
    const state = (await (await fetch(walletUrl, { headers: { accept: 'application/json' } })).json()) as { state: string };
    expect(state.state).toBe('signed');
    expect(signed.output).toContain(address!);
  });

  it('README, "Registering a relying party"', { timeout: 60_000 }, async () => {
    const cwd = scratchProject();
    const commands = blockWith('README.md', 'clients add');
    // `npm run build` is the scratch project's dist/, built once for the whole test run.
    expect(commands[0]).toBe('npm run build');
    await runAll(commands.slice(1), cwd);
    await configAccepts(cwd);
  });

  for (const guide of ['grafana', 'keycloak', 'oauth2-proxy', 'website']) {
    it(`docs/integrations/${guide}.md: registering the client`, { timeout: 60_000 }, async () => {
      const cwd = scratchProject();
      await runAll(blockWith(`docs/integrations/${guide}.md`, 'clients add'), cwd);
      await configAccepts(cwd);
    });
  }

  it('docs/oidc-features.md: the "tv" device client, and the device example against a started product', { timeout: 120_000 }, async () => {
    const cwd = scratchProject();
    const [register, start, ...rest] = blockWith('docs/oidc-features.md', '--id tv');
    expect(rest).toEqual([]);
    await runAll([register!], cwd);
    await configAccepts(cwd);
    // `npm start` in the guide: the product with the clients file those commands wrote.
    expect(start).toBe('npm start');
    const product = await startProduct({
      store: 'memory',
      clients: () => JSON.parse(readFileSync(join(cwd, 'config', 'clients.json'), 'utf8')) as Array<Record<string, unknown>>,
    });
    try {
      const [device] = blockWith('docs/oidc-features.md', 'example:device');
      const run = await sh(device!.replace('http://localhost:3000', product.baseUrl), cwd, { timeoutMs: 8000 });
      // It waits for a person to sign in: killed by the timeout after showing the code.
      expect(run.output).toMatch(new RegExp(`open ${product.baseUrl}/device and enter [A-Z]{4}-[A-Z]{4}`));
    } finally {
      await product.stop();
    }
  });
});
