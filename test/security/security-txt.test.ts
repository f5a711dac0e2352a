/**
 * Where to report a vulnerability is this deployment's own: /.well-known/security.txt (RFC 9116)
 * with the contact from SECURITY_CONTACT, and SECURITY.md names this project's channel.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProduct, type RunningProduct } from '../support/product.js';
import { configProblems } from '../support/config.js';

const running: RunningProduct[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

describe('security.txt (RFC 9116)', () => {
  it('publishes the configured contact, policy and an Expires within a year at /.well-known/security.txt', async () => {
    const product = await startProduct({
      store: 'redis',
      env: {
        SECURITY_CONTACT: 'mailto:security@accounts.example, https://accounts.example/report',
        SECURITY_POLICY_URL: 'https://accounts.example/disclosure',
      },
    });
    running.push(product);
    const answer = await fetch(`${product.baseUrl}/.well-known/security.txt`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await answer.text();
    const fields = text
      .trim()
      .split('\n')
      .map((line) => line.split(': ', 2) as [string, string]);
    expect(fields.filter(([name]) => name === 'Contact').map(([, value]) => value)).toEqual([
      'mailto:security@accounts.example',
      'https://accounts.example/report',
    ]);
    expect(fields).toContainEqual(['Policy', 'https://accounts.example/disclosure']);
    expect(fields).toContainEqual(['Canonical', `${product.baseUrl}/.well-known/security.txt`]);
    const expires = Date.parse(fields.find(([name]) => name === 'Expires')![1]);
    expect(expires).toBeGreaterThan(Date.now());
    expect(expires).toBeLessThan(Date.now() + 365 * 86_400_000);
    expect(text).not.toMatch(/manticore/i);
  });

  it('is absent without a contact, and refuses a contact that is not a URI', async () => {
    const product = await startProduct({ store: 'memory' });
    running.push(product);
    expect((await fetch(`${product.baseUrl}/.well-known/security.txt`)).status).toBe(404);
    expect(configProblems({ SECURITY_CONTACT: 'security at example' }, mkdtempSync(join(tmpdir(), 'evr-securitytxt-')))).toEqual([
      expect.stringMatching(/^SECURITY_CONTACT: "security at example" must be a mailto:, https:\/\/ or tel: URI/),
    ]);
  });

  it("SECURITY.md gives this project's reporting channel, not the earlier project's address", () => {
    const doc = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8');
    const reporting = doc.slice(doc.indexOf('## Reporting a vulnerability'), doc.indexOf('## Scanning the image'));
    expect(reporting).not.toMatch(/manticore/i);
    expect(reporting).toContain('/.well-known/security.txt');
    expect(reporting).toContain('SECURITY_CONTACT');
  });
});
