/**
 * Python Authlib (Debian python3-authlib, run with /usr/bin/python3) as a confidential relying
 * party against a fresh product: code exchange with PKCE, the ID token validated against the
 * JWKS, userinfo, Authlib's own refresh of an expired access token (it re-sends the configured
 * scope, RFC 6749 §6) and revocation (RFC 7009). The script is test/interop/authlib_rp.py; this
 * test is the person's browser and wallet on the real sign-in page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, signIn } from '../support/wallet.js';
import { RP_CONFIGURATIONS, debianVersion } from './configurations.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./authlib_rp.py', import.meta.url));
const LIBRARY = `Authlib ${debianVersion('python3-authlib')} (python3-authlib)`;

interface Step {
  step: string;
  ok: boolean;
  saw: unknown;
}
interface Report {
  library: string;
  steps: Step[];
}

/** Runs the Authlib RP; `browse` turns its authorization URL into the callback URL. */
async function runAuthlib(args: string[], browse: (url: URL) => Promise<URL>): Promise<Report> {
  const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the Authlib RP ended early: ${stderr.slice(-2000)}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  try {
    const { authorization_url } = await next();
    const callback = await browse(new URL(String(authorization_url)));
    child.stdin.write(`${callback.href}\n`);
    return (await next()) as unknown as Report;
  } finally {
    child.kill();
  }
}

for (const rpConfiguration of RP_CONFIGURATIONS) {
  describe(`${LIBRARY}, ${rpConfiguration.name}`, () => {
    let running: RunningProduct;
    let report: Report;
    const stepSaw = (name: string) => {
      const step = report.steps.find((s) => s.step === name);
      if (!step) throw new Error(`the Authlib RP reported no step "${name}"`);
      return step;
    };
    const expectStep = (name: string) => {
      const step = stepSaw(name);
      expect(step.ok, `${report.library}: ${name}: the RP saw ${JSON.stringify(step.saw)}`).toBe(true);
      return step.saw as Record<string, unknown>;
    };

    beforeAll(async () => {
      running = await startProduct({ store: 'redis' });
      const args = [running.baseUrl, 'rp', TEST_CLIENT_SECRET, running.redirectUri, rpConfiguration.scope, rpConfiguration.prompt ?? ''];
      report = await runAuthlib(args, (url) => signIn(new HttpBrowser(running.baseUrl), url, KEYS.compressed, running.redirectUri));
    });
    afterAll(async () => running?.stop());

    it('exchanges the code with PKCE and gets a refresh token', () => {
      const saw = expectStep('code exchange with PKCE');
      expect(saw.has_refresh_token, `${report.library} got no refresh token: ${JSON.stringify(saw)}`).toBe(true);
    });

    it('validates the ID token against the JWKS (iss, aud, nonce, at_hash)', () => {
      const claims = expectStep('ID token against the JWKS');
      expect(claims).toMatchObject({ sub: KEYS.compressed.address, aud: 'rp', iss: running.baseUrl });
    });

    it('reads userinfo with the access token', () => {
      expect(expectStep('userinfo')).toMatchObject({ sub: KEYS.compressed.address, preferred_username: KEYS.compressed.address });
    });

    it('refreshes an expired access token on its own, sending the configured scope again', () => {
      const saw = expectStep('refresh with the scope re-sent');
      expect(saw).toMatchObject({ refresh_token_rotated: true, userinfo_sub: KEYS.compressed.address });
      // The answer names what was granted (RFC 6749 §5.1): never more than at sign-in.
      expect(String(saw.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile']));
    });

    it('revokes the refresh token, which then no longer refreshes', () => {
      expect(expectStep('revocation')).toMatchObject({ status: 200, after: 'invalid_grant' });
    });
  });
}
