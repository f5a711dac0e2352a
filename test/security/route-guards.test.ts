/**
 * Every route of ours that takes a body declares it on the route (src/http/guard.ts): this walks
 * the routers of the running app, with every optional feature on (account page, demo, test
 * wallet), and fails on a route for POST, PUT, PATCH or DELETE without a guard that holds its
 * body to a schema. And no source file outside the guard reads a request's raw body.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Router from '@koa/router';
import { guardSchemas } from '../../src/http/guard.js';
import { startProduct, type RunningProduct } from '../support/product.js';

const WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Each route as "METHODS path", with whether one of its middlewares is a guard with a body schema. */
function routesOf(routers: Router[]): Array<{ route: string; guarded: boolean }> {
  return routers.flatMap((router) =>
    router.stack
      .filter((layer) => layer.methods.some((method) => WITH_BODY.includes(method)))
      .map((layer) => ({
        route: `${layer.methods.join(',')} ${String(layer.path)}`,
        guarded: layer.stack.some((middleware) => guardSchemas(middleware)?.body !== undefined),
      })),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('route guards', () => {
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startProduct({ store: 'memory', env: { DEMO: 'true', TEST_WALLET: 'true', ACCOUNT_PAGE: 'true' } });
  });
  afterAll(async () => product?.stop());

  it('puts a guard with a body schema on every route that takes a body', () => {
    const routers = product.product.app.middleware.flatMap((middleware) => (middleware as { routers?: Router[] }).routers ?? []);
    const routes = routesOf(routers);
    // The walk sees the routes it should: the sign-in steps, the wallet URL, the account page's forms.
    expect(routes.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'POST /interaction/:uid/login',
        'POST /interaction/:uid/test-wallet',
        'POST /w/:id',
        'POST /account/revoke',
        'POST /account/logout',
      ]),
    );
    expect(routes.filter((r) => !r.guarded).map((r) => r.route)).toEqual([]);
  });

  it('reads a raw body nowhere but in the guard', () => {
    const src = join(import.meta.dirname, '../../src');
    const readers = sourceFiles(src)
      .filter((path) => /\brequest\.body\b/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(src, path));
    expect(readers).toEqual(['http/guard.ts']);
  });
});
