/**
 * guard() (src/http/guard.ts) on a router of its own: what a handler receives, and the 4xx for
 * each way a request does not fit its route's declaration.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { z } from 'zod';
import pino from 'pino';
import { errorHandler } from '../../src/http/errors.js';
import { negotiateLanguage } from '../../src/http/language.js';
import { EMPTY_BODY, guard, guardSchemas, pathId, requiredText, textField } from '../../src/http/guard.js';

const params = { id: pathId(/^[a-z]{4}$/, 'challenge_id_malformed') };
const body = z.strictObject({ name: textField(5), token: requiredText(8) });

describe('guard', () => {
  let server: Server;
  let base: string;
  let handled = 0;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(negotiateLanguage());
    app.use(
      errorHandler(pino({ enabled: false }), {
        render: async (ctx, message) => {
          ctx.body = `page: ${message}`;
        },
      }),
    );
    const router = new Router();
    router.post('/things/:id', guard({ params, body }), (ctx) => {
      handled += 1;
      // Typed by the schemas: a compile error here if they did not say so.
      const { id } = ctx.guard.params;
      const { name, token } = ctx.guard.body;
      ctx.body = { id, name, token };
    });
    router.post('/empty', guard({ body: EMPTY_BODY }), (ctx) => {
      ctx.body = { ok: true };
    });
    app.use(router.routes());
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  const post = async (path: string, payload: string, type = 'application/json', language = 'en') => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': type, accept: 'application/json', 'accept-language': language },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('hands the handler the checked input: fields trimmed, an absent optional one ""', async () => {
    expect(await post('/things/abcd', JSON.stringify({ name: ' Ann ', token: 't' }))).toEqual({
      status: 200,
      body: { id: 'abcd', name: 'Ann', token: 't' },
    });
    expect(await post('/things/abcd', 'token=t', 'application/x-www-form-urlencoded')).toEqual({
      status: 200,
      body: { id: 'abcd', name: '', token: 't' },
    });
    expect(await post('/empty', '', 'application/x-www-form-urlencoded')).toEqual({ status: 200, body: { ok: true } });
  });

  it('refuses what the declaration does not allow, naming the field, before the handler runs', async () => {
    const before = handled;
    const refusal = (description: RegExp) => ({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringMatching(description) },
    });
    expect(await post('/things/abcd', JSON.stringify({ token: 't', extra: 1, more: 2 }))).toEqual(
      refusal(/fields this form does not take: "extra", "more"/),
    );
    expect(await post('/things/abcd', JSON.stringify({ name: 42, token: 't' }))).toEqual(refusal(/"name" must be a single text value/));
    expect(await post('/things/abcd', 'name=a&name=b&token=t', 'application/x-www-form-urlencoded')).toEqual(
      refusal(/"name" must be a single text value/),
    );
    // The length counts before trimming: padding cannot carry a longer value through.
    expect(await post('/things/abcd', JSON.stringify({ name: 'abcdef', token: 't' }))).toEqual(
      refusal(/"name" is too long \(at most 5 characters\)/),
    );
    expect(await post('/things/abcd', JSON.stringify({ name: 'a' }))).toEqual(refusal(/"token" is missing/));
    expect(await post('/things/abcd', '["token"]')).toEqual(refusal(/must be a JSON object/));
    expect(await post('/empty', 'anything=1', 'application/x-www-form-urlencoded')).toEqual(refusal(/"anything"/));
    expect((await post('/things/abcd', 'token=t', 'text/plain')).status).toBe(415);
    expect(handled).toBe(before);
  });

  it("names the field in the reader's language, with the same code", async () => {
    expect(await post('/things/abcd', JSON.stringify({ name: 'a' }), 'application/json', 'de')).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Das Feld „token“ fehlt.' },
    });
  });

  it('checks the path before it reads the body', async () => {
    expect(await post('/things/ABCD', '{not json')).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'The sign-in code in this address is malformed.' },
    });
  });

  it('lets a walk of the routes find each guard and its schemas', () => {
    expect(guardSchemas(guard({ body }))?.body).toBe(body);
    expect(guardSchemas(async () => undefined)).toBeUndefined();
  });
});
