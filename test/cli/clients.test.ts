import { chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { run, tempDir } from './helpers.js';

type Client = Record<string, unknown> & { client_id: string; client_secret?: string };

const URL_SAFE_SECRET = /^[A-Za-z0-9_-]{43}$/;
const REDIRECT = 'https://app.example.com/callback';

describe('clients', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = join(dir, 'clients.json');
  });
  afterEach(async () => cleanup());

  const readClients = async () => JSON.parse(await readFile(file, 'utf8')) as Client[];
  const add = (...extra: string[]) => run(['clients', 'add', '--file', file, ...extra]);
  const secretOf = (stdout: string) => /^client_secret: (\S+)$/m.exec(stdout)?.[1];

  describe('add', () => {
    it('keeps the owner of the file it replaces (run as root), so the provider can still read it', async () => {
      expect((await add('--id', 'a', '--redirect-uri', REDIRECT)).code).toBe(0);
      await chown(file, 1000, 1000);
      expect((await add('--id', 'b', '--redirect-uri', REDIRECT)).code).toBe(0);
      expect((await readClients()).map((c) => c.client_id)).toEqual(['a', 'b']);
      expect(await stat(file)).toMatchObject({ uid: process.getuid?.() === 0 ? 1000 : process.getuid?.() });
    });

    it('creates the file (0600) with a confidential client and prints its URL-safe secret once', async () => {
      const result = await add('--id', 'grafana', '--name', 'Grafana', '--redirect-uri', REDIRECT);
      expect(result.code).toBe(0);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = secretOf(result.stdout);
      expect(secret).toMatch(URL_SAFE_SECRET);
      expect(result.stdout).toContain('client_id: grafana');
      expect(result.stderr).toContain('shown only this once');
      expect(await readClients()).toEqual([
        {
          client_id: 'grafana',
          client_name: 'Grafana',
          client_secret: secret,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [REDIRECT],
        },
      ]);
      expect(loadConfig({ CLIENTS_FILE: file }, dir).clients).toHaveLength(1);
      expect(await readdir(dir)).toEqual(['clients.json']);
    });

    it('gives every client its own secret', async () => {
      const a = secretOf((await add('--id', 'a', '--redirect-uri', REDIRECT)).stdout);
      const b = secretOf((await add('--id', 'b', '--redirect-uri', REDIRECT)).stdout);
      expect(a).not.toBe(b);
      expect((await readClients()).map((c) => c.client_id)).toEqual(['a', 'b']);
    });

    it('writes every option: several redirect URIs, logout URIs, client_secret_post, refresh, first party', async () => {
      const result = await add(
        '--id',
        'keycloak',
        '--redirect-uri',
        REDIRECT,
        '--redirect-uri',
        'https://app.example.com/other',
        '--post-logout-redirect-uri',
        'https://app.example.com/bye',
        '--auth-method',
        'client_secret_post',
        '--refresh',
        '--first-party',
      );
      expect(result.code).toBe(0);
      const [client] = await readClients();
      expect(client).toMatchObject({
        client_id: 'keycloak',
        token_endpoint_auth_method: 'client_secret_post',
        redirect_uris: [REDIRECT, 'https://app.example.com/other'],
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        grant_types: ['authorization_code', 'refresh_token'],
        first_party: true,
      });
      expect(client!.client_secret).toMatch(URL_SAFE_SECRET);
    });

    it('exempts a legacy confidential client from PKCE only when asked, and never a public one', async () => {
      expect((await add('--id', 'legacy', '--redirect-uri', REDIRECT, '--without-pkce')).code).toBe(0);
      expect((await add('--id', 'modern', '--redirect-uri', REDIRECT)).code).toBe(0);
      const [legacy, modern] = await readClients();
      expect(legacy).toMatchObject({ client_id: 'legacy', require_pkce: false });
      expect(modern).not.toHaveProperty('require_pkce');
      const refused = await add('--id', 'spa', '--public', '--without-pkce', '--redirect-uri', REDIRECT);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--without-pkce is for legacy confidential web clients');
    });

    it('adds a public client without a secret', async () => {
      const result = await add('--id', 'spa', '--public', '--redirect-uri', REDIRECT);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('client_secret');
      expect(await readClients()).toEqual([{ client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] }]);
    });

    it.each(['http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb', 'http://localhost/cb', 'http://LOCALHOST:3000/cb'])(
      'accepts the loopback http redirect URI %s',
      async (uri) => {
        const result = await add('--id', 'dev', '--redirect-uri', uri);
        expect(result.code).toBe(0);
        expect((await readClients())[0]!.redirect_uris).toEqual([uri]);
      },
    );

    it.each([
      ['http://app.example.com/cb', 'must be https'],
      ['http://127.0.0.1.example.com/cb', 'must be https'],
      ['http://192.168.1.10/cb', 'must be https'],
      ['ftp://app.example.com/cb', 'must be https'],
      ['https://app.example.com/cb#frag', 'must not have a fragment'],
      ['/callback', 'is not an absolute URL'],
    ])('refuses the redirect URI %s (exit 2) and writes nothing', async (uri, message) => {
      const result = await add('--id', 'x', '--redirect-uri', REDIRECT, '--redirect-uri', uri);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: evrmore-accounts clients add');
      expect(await readdir(dir)).toEqual([]);
    });

    it('refuses a plain-http post-logout redirect URI', async () => {
      const result = await add('--id', 'x', '--redirect-uri', REDIRECT, '--post-logout-redirect-uri', 'http://app.example.com/bye');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--post-logout-redirect-uri must be https');
    });

    it('refuses a duplicate id (exit 1) and keeps the file as it was', async () => {
      await add('--id', 'grafana', '--redirect-uri', REDIRECT);
      const before = await readFile(file, 'utf8');
      const result = await add('--id', 'grafana', '--redirect-uri', REDIRECT);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('a client with id "grafana" already exists');
      expect(result.stdout).toBe('');
      expect(await readFile(file, 'utf8')).toBe(before);
    });

    it.each([
      [['--redirect-uri', REDIRECT], 'missing --id ID'],
      [['--id', 'x'], 'missing --redirect-uri URI'],
      [['--id', 'has space', '--redirect-uri', REDIRECT], '--id must be 1-128 characters'],
      [
        ['--id', 'x', '--redirect-uri', REDIRECT, '--public', '--auth-method', 'client_secret_post'],
        '--auth-method is for confidential clients',
      ],
      [
        ['--id', 'x', '--redirect-uri', REDIRECT, '--auth-method', 'private_key_jwt'],
        '--auth-method must be client_secret_basic or client_secret_post',
      ],
      [['--id', 'x', '--id', 'y', '--redirect-uri', REDIRECT], '--id given more than once'],
      [['--id', 'x', '--redirect-uri', REDIRECT, '--secret', 'abc'], "Unknown option '--secret'"],
    ])('%j is a usage error (exit 2)', async (argv, message) => {
      const result = await add(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(await readdir(dir)).toEqual([]);
    });

    it('refuses a file that is not a JSON array of clients (exit 1)', async () => {
      await writeFile(file, '{"client_id":"x"}');
      const result = await add('--id', 'y', '--redirect-uri', REDIRECT);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('must hold a JSON array of clients');
    });
  });

  describe('list, show, remove, rotate-secret', () => {
    let secret: string;
    beforeEach(async () => {
      secret = secretOf((await add('--id', 'grafana', '--name', 'Grafana', '--redirect-uri', REDIRECT, '--first-party')).stdout)!;
      await add('--id', 'spa', '--public', '--redirect-uri', 'http://localhost:5173/cb', '--redirect-uri', REDIRECT);
    });

    it('list shows id, name, type and redirect URIs, never the secret', async () => {
      const result = await run(['clients', 'list', '--file', file]);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(secret);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^ID +NAME +TYPE +REDIRECT URIS$/);
      expect(lines[1]).toMatch(new RegExp(`^grafana +Grafana +confidential, first-party +${REDIRECT}$`));
      expect(lines[2]).toMatch(new RegExp(`^spa +- +public +http://localhost:5173/cb ${REDIRECT}$`));
    });

    it('list of an empty file says so', async () => {
      await writeFile(file, '[]');
      const result = await run(['clients', 'list', '--file', file]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('No clients');
    });

    it('show prints the metadata with the secret masked', async () => {
      const result = await run(['clients', 'show', '--file', file, '--id', 'grafana']);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(secret);
      expect(JSON.parse(result.stdout)).toEqual({
        client_id: 'grafana',
        client_name: 'Grafana',
        client_secret: '********',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [REDIRECT],
        first_party: true,
      });
    });

    it('remove deletes one client and keeps the file 0600', async () => {
      const result = await run(['clients', 'remove', '--file', file, '--id', 'grafana']);
      expect(result.code).toBe(0);
      expect((await readClients()).map((c) => c.client_id)).toEqual(['spa']);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('rotate-secret prints a new URL-safe secret once and stores it', async () => {
      const result = await run(['clients', 'rotate-secret', '--file', file, '--id', 'grafana']);
      expect(result.code).toBe(0);
      const fresh = secretOf(result.stdout);
      expect(fresh).toMatch(URL_SAFE_SECRET);
      expect(fresh).not.toBe(secret);
      const clients = await readClients();
      expect(clients[0]!.client_secret).toBe(fresh);
      expect(clients[1]).toEqual({
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://localhost:5173/cb', REDIRECT],
      });
    });

    it('rotate-secret refuses a public client (exit 1)', async () => {
      const before = await readFile(file, 'utf8');
      const result = await run(['clients', 'rotate-secret', '--file', file, '--id', 'spa']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('"spa" is a public client');
      expect(await readFile(file, 'utf8')).toBe(before);
    });

    it.each(['show', 'remove', 'rotate-secret'])('%s reports an unknown id (exit 1)', async (command) => {
      const result = await run(['clients', command, '--file', file, '--id', 'nope']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no client with id "nope"');
    });

    it.each(['list', 'show', 'remove', 'rotate-secret'])('%s reports a missing file (exit 1)', async (command) => {
      const result = await run([
        'clients',
        command,
        '--file',
        join(dir, 'missing.json'),
        ...(command === 'list' ? [] : ['--id', 'grafana']),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('does not exist');
    });

    it.each([
      [['clients', 'list'], 'missing --file FILE'],
      [['clients', 'show', '--file', 'x'], 'missing --id ID'],
      [['clients', 'remove', '--id', 'x'], 'missing --file FILE'],
      [['clients', 'rotate-secret', '--file', 'x'], 'missing --id ID'],
      [['clients', 'show', '--file', 'x', '--id', 'y', '--reveal'], "Unknown option '--reveal'"],
    ])('%j is a usage error (exit 2)', async (argv, message) => {
      const result = await run(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`Usage: evrmore-accounts ${argv.slice(0, 2).join(' ')}`);
    });
  });
});

describe('clients list and show without --file', () => {
  it('read config/clients.json when it exists, and say so when it does not', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const none = await run(['clients', 'list'], { cwd: dir });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('missing --file FILE (and there is no config/clients.json here)');
      await mkdir(join(dir, 'config'));
      const added = await run(
        ['clients', 'add', '--file', 'config/clients.json', '--id', 'web', '--name', 'Web', '--redirect-uri', 'https://web.example.com/cb'],
        { cwd: dir },
      );
      expect(added.code, added.stderr).toBe(0);
      const listed = await run(['clients', 'list'], { cwd: dir });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/^web +Web +confidential/m);
      const shown = await run(['clients', 'show', '--id', 'web'], { cwd: dir });
      expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: 'web', client_name: 'Web' });
    } finally {
      await cleanup();
    }
  });
});
