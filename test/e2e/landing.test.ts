/**
 * The landing page at / and the guides it serves: no demo link where the demo is off, only the
 * guides meant for visitors (no path games), and a favicon for every page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';

describe('landing page', () => {
  let running: RunningProduct;
  beforeAll(async () => {
    running = await startProduct({ store: 'memory' });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('answers / with the page, without a demo link when the demo is off', async () => {
    const response = await fetch(`${running.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('id="home-discovery"');
    expect(html).toContain('href="/account"');
    expect(html).not.toContain('href="/demo"');
    expect((await fetch(`${running.baseUrl}/`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${running.baseUrl}/`, { method: 'POST' })).status).toBeGreaterThanOrEqual(400);
  });

  it("serves the visitors' guides as text, and nothing else under /docs", async () => {
    const guide = await fetch(`${running.baseUrl}/docs/wallet-protocol.md`);
    expect(guide.status).toBe(200);
    expect(guide.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await guide.text()).toMatch(/^# /);
    for (const path of [
      '/docs/performance.md',
      '/docs/../package.json',
      '/docs/%2e%2e/package.json',
      '/docs/integrations/',
      '/docs/WALLET-PROTOCOL.md',
    ]) {
      expect((await fetch(`${running.baseUrl}${path}`)).status, path).toBe(404);
    }
  });

  it('has a favicon', async () => {
    const icon = await fetch(`${running.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toContain('<svg');
  });
});
