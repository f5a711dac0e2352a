/**
 * Pages are compiled with their partials written in place (src/http/views.ts, inlinePartials):
 * every page must render the same bytes as EJS's own include gives, whatever the locals.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { compilePage, createViews, inlinePartials, localNames } from '../../src/http/views.js';
import { translator } from '../../src/i18n/index.js';

const ROOT = join(import.meta.dirname, '..', '..', 'views');

const client = (overrides: Record<string, unknown> = {}) => ({
  id: 'rp',
  name: 'Some <RP> & "Co"',
  host: 'rp.example',
  verified: false,
  logoUri: undefined,
  pairwise: false,
  ...overrides,
});

/** Locals that take every branch of the pages that include partials. */
const CASES: Record<string, Record<string, unknown>[]> = {
  login: [
    {
      client: client(),
      uid: 'uid-1',
      challenge: { id: 'cid-1', text: 'example.com: sign in to «RP» <x> & "y"', expiresAt: 1 },
      usable: true,
      command: 'evrmore-cli signmessage YOUR_ADDRESS "x"',
      walletUrl: 'https://id.example/w/cid-1',
      qrSvg: '<svg></svg>',
      expiresAt: '12:00',
      expiresAtIso: '2026-12-06T12:00:00.000Z',
      addressStart: 'E',
      values: { address: 'E<addr>', signature: 'sig"' },
      expectedAddress: 'Eexpected',
      confirmAddress: undefined,
      error: 'wrong <signature>',
      notice: 'filled',
      testWallet: true,
    },
    {
      client: client({ verified: true, logoUri: 'data:image/png;base64,AAAA' }),
      uid: 'uid-2',
      challenge: { id: 'cid-2', text: 'text', expiresAt: 1 },
      usable: false,
      command: '',
      walletUrl: 'https://id.example/w/cid-2',
      qrSvg: '',
      expiresAt: '12:00',
      expiresAtIso: 'x',
      addressStart: 'm or n',
      values: {},
      expectedAddress: undefined,
      confirmAddress: 'Econfirm',
      error: undefined,
      notice: undefined,
      testWallet: false,
    },
  ],
  consent: [
    { client: client(), uid: 'u', address: 'Eaddr', scopes: ['openid', 'profile', 'evrmore_assets', 'groups', 'custom<scope>'] },
    {
      client: client({ pairwise: true }),
      uid: 'u',
      address: 'Eaddr',
      scopes: ['openid', 'evrmore_assets', 'groups'],
      chain: { assets: ['A', 'B<'], tags: [], groups: ['g'] },
    },
    { client: client(), uid: 'u', address: 'Eaddr', scopes: ['evrmore_assets'], chain: { unavailable: true } },
  ],
  wallet: [
    {
      client: client(),
      challenge: { id: 'cid', text: 'text', expiresAt: 1 },
      usable: true,
      host: 'id.example',
      command: 'evrmore-cli signmessage YOUR_ADDRESS "x"',
      walletUrl: 'https://id.example/w/cid',
      signed: false,
      error: undefined,
      values: { address: 'E<a>' },
      addressStart: 'E',
      expiresAt: '12:00',
      expiresAtIso: 'x',
    },
    {
      client: client({ verified: true }),
      challenge: { id: 'cid', text: 'text', expiresAt: 1 },
      usable: false,
      host: 'id.example',
      command: '',
      walletUrl: 'https://id.example/w/cid',
      signed: true,
      error: 'gone',
      values: {},
      addressStart: 'm or n',
      expiresAt: '12:00',
      expiresAtIso: 'x',
    },
  ],
  'locked-out': [
    { client: client(), uid: 'u', message: 'wait', retryAfterSeconds: 5, until: 'x', hint: 'redis-cli del' },
    { client: client(), uid: 'u', message: 'wait', retryAfterSeconds: 5, until: 'x', hint: undefined },
  ],
  denied: [{ client: client(), uid: 'u', message: 'no', address: 'Eaddr' }],
};

describe('pages with their partials written in place', () => {
  it('render exactly what EJS include renders', () => {
    for (const [name, cases] of Object.entries(CASES)) {
      const filename = join(ROOT, `${name}.ejs`);
      const source = readFileSync(filename, 'utf8');
      expect(inlinePartials(source, ROOT), name).not.toContain('include(');
      for (const [lang, t] of [
        ['en', translator('en')],
        ['de', translator('de')],
      ] as const) {
        for (const locals of cases) {
          const data = { title: 'T', ...locals, t, lang };
          let reference: string;
          try {
            reference = ejs.render(source, data, { filename, root: ROOT });
          } catch (error) {
            throw new Error(`${name}: the reference render failed (are the locals complete?): ${(error as Error).message}`);
          }
          const flat = ejs.render(inlinePartials(source, ROOT), data, { filename, root: ROOT });
          expect(flat, `${name} (${lang})`).toBe(reference);
          // As served: compiled without `with`, its locals declared once.
          expect(compilePage(ROOT, name, { debug: false })(data), `${name} (${lang}), served`).toBe(reference);
        }
      }
    }
  });

  it('finds the locals a template reads, not its own names, properties, strings or comments', () => {
    const source = `<%# not, these %><% for (const [key, count] of entries) { %><%= key %> <%= count.toFixed(1) %><% } %>
<% if (typeof refresh !== 'undefined' && locals.flag) { %><%- t('a.b', { x: item.name }) %> <%= "quoted words" %><% } %>
<% const total = JSON.stringify(Object.keys(map)) %><%= total %>`;
    expect(localNames(source)).toEqual(['entries', 'item', 'map', 'refresh', 't', 'x']);
  });

  it('compiles every template and renders the layout as before', () => {
    for (const file of readdirSync(ROOT).filter((f) => f.endsWith('.ejs'))) {
      expect(() => compilePage(ROOT, file.replace(/\.ejs$/, ''), { debug: false }), file).not.toThrow();
    }
    const filename = join(ROOT, 'layout.ejs');
    for (const data of [
      { title: 'T', t: translator('en'), lang: 'en', body: '<p>x</p>', scripts: ['a.js'], bodyClass: 'wide' },
      { title: 'T', t: translator('de'), lang: 'de', body: '', scripts: [], refresh: '/next' },
    ]) {
      expect(compilePage(ROOT, 'layout', { debug: false })(data)).toBe(ejs.render(readFileSync(filename, 'utf8'), data, { filename }));
    }
  });

  it('covers every page that includes a partial', () => {
    const including = readdirSync(ROOT)
      .filter((file) => file.endsWith('.ejs') && readFileSync(join(ROOT, file), 'utf8').includes('include('))
      .map((file) => file.replace(/\.ejs$/, ''))
      .sort();
    expect(including).toEqual(Object.keys(CASES).sort());
  });

  it('serves the flattened pages', () => {
    const views = createViews(ROOT, { cache: true });
    const html = views.html('consent', { title: 'T', ...CASES.consent![1]! }, translator('en'), 'en');
    expect(html).toContain('id="consent-groups"');
    expect(html).toContain('B&lt;');
  });
});
