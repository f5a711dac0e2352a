import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { run, tempDir } from './helpers.js';

type Jwks = { keys: Array<Record<string, string>> };

const readJwks = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Jwks;
const mode = async (file: string) => (await stat(file)).mode & 0o777;

/** KID ALG POSITION rows of `keys list`. */
function rows(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/));
}

describe('keys', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    file = join(dir, 'jwks.json');
  });
  afterEach(async () => cleanup());

  describe('generate', () => {
    it('writes one RS256 private key (mode 0600) and prints its kid, never key material', async () => {
      const result = await run(['keys', 'generate', '--out', file]);
      expect(result.code).toBe(0);
      expect(await mode(file)).toBe(0o600);
      const jwks = await readJwks(file);
      expect(jwks.keys).toHaveLength(1);
      const [key] = jwks.keys;
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key!.d).toBeTruthy();
      expect(rows(result.stdout)).toEqual([[key!.kid, 'RS256', 'signer']]);
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'n']) {
        expect(result.stdout + result.stderr).not.toContain(key![part]!.slice(0, 20));
      }
      expect(await readdir(dir)).toEqual(['jwks.json']);
    });

    it('writes one key per --alg, each usable to sign and verify, accepted by loadConfig', async () => {
      const result = await run(['keys', 'generate', '--out', file, '--alg', 'RS256', '--alg', 'ES256', '--alg', 'EdDSA', '--alg', 'ES256']);
      expect(result.code).toBe(0);
      const jwks = await readJwks(file);
      expect(jwks.keys.map((k) => k.alg)).toEqual(['RS256', 'ES256', 'EdDSA']);
      for (const jwk of jwks.keys) {
        const alg = jwk.alg!;
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
        const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg, kid: jwk.kid }).sign(await importJWK(jwk, alg));
        const { payload } = await jwtVerify(token, await importJWK(publicJwk, alg));
        expect(payload.sub).toBe('x');
      }
      expect(loadConfig({ JWKS_FILE: file }, dir).jwks?.keys).toHaveLength(3);
      expect(rows(result.stdout).map((r) => r[2])).toEqual(['signer', 'signer', 'signer']);
    });

    it('refuses to overwrite without --force and leaves the file alone (exit 1)', async () => {
      await run(['keys', 'generate', '--out', file]);
      const before = await readFile(file, 'utf8');
      const result = await run(['keys', 'generate', '--out', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('already exists');
      expect(result.stderr).toContain('--force');
      expect(await readFile(file, 'utf8')).toBe(before);
      expect(await readdir(dir)).toEqual(['jwks.json']);
    });

    it('replaces the file with --force, still 0600', async () => {
      await run(['keys', 'generate', '--out', file]);
      await chmod(file, 0o644);
      const before = await readJwks(file);
      const result = await run(['keys', 'generate', '--out', file, '--force']);
      expect(result.code).toBe(0);
      expect((await readJwks(file)).keys[0]!.kid).not.toBe(before.keys[0]!.kid);
      expect(await mode(file)).toBe(0o600);
    });

    it('resolves a relative --out against the working directory', async () => {
      expect((await run(['keys', 'generate', '--out', 'relative.json'], { cwd: dir })).code).toBe(0);
      expect(await mode(join(dir, 'relative.json'))).toBe(0o600);
    });

    it.each([
      [['keys', 'generate'], 'missing --out FILE'],
      [['keys', 'generate', '--out', 'x.json', '--alg', 'HS256'], '--alg must be RS256, ES256 or EdDSA (got "HS256")'],
      [['keys', 'generate', '--out', 'x.json', '--bogus'], "Unknown option '--bogus'"],
    ])('%j is a usage error (exit 2)', async (argv, message) => {
      const result = await run(argv, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: evrmore-accounts keys generate');
      expect(await readdir(dir)).toEqual([]);
    });

    it('reports a folder that does not exist in one line (exit 1)', async () => {
      const result = await run(['keys', 'generate', '--out', join(dir, 'missing', 'jwks.json')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/cannot write .* \(ENOENT\)/);
    });
  });

  describe('rotate, retire and list', () => {
    it('rotate adds a new key that is published at once and signs after --promote-in; the old one stays, verify-only', async () => {
      await run(['keys', 'generate', '--out', file]);
      const [old] = (await readJwks(file)).keys;
      await chmod(file, 0o644);
      const before = Math.floor(Date.now() / 1000);
      const result = await run(['keys', 'rotate', '--file', file]);
      expect(result.code).toBe(0);
      const jwks = await readJwks(file);
      expect(jwks.keys).toHaveLength(2);
      expect(jwks.keys[1]).toEqual(old);
      const fresh = jwks.keys[0]!;
      expect(fresh.kid).not.toBe(old!.kid);
      expect(fresh.d).toBeTruthy();
      // Ten minutes by default: longer than any instance takes to read the file again.
      expect(Number(fresh.signs_from) - before).toBeGreaterThanOrEqual(600);
      expect(Number(fresh.signs_from) - before).toBeLessThan(610);
      expect(await mode(file)).toBe(0o600);
      expect(result.stderr).toContain(`${old!.kid} then stays published, verify-only`);

      const list = await run(['keys', 'list', '--file', file]);
      expect(list.code).toBe(0);
      expect(list.stdout.split('\n')[0]).toMatch(/^KID +ALG +POSITION$/);
      expect(rows(list.stdout)).toEqual([
        [fresh.kid, 'RS256', 'signs-from', new Date(Number(fresh.signs_from) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')],
        [old!.kid, 'RS256', 'signer'],
      ]);

      // --promote-in 0: the new key signs at once.
      expect((await run(['keys', 'rotate', '--file', file, '--promote-in', '0'])).code).toBe(0);
      expect(rows((await run(['keys', 'list', '--file', file])).stdout).map((r) => r[2])).toEqual(['signer', 'signs-from', 'verify-only']);
    });

    it('add --verify-only stages a key; promote makes it the signer and the old signer verify-only', async () => {
      await run(['keys', 'generate', '--out', file]);
      const [old] = (await readJwks(file)).keys;
      expect(await run(['keys', 'add', '--file', file])).toMatchObject({ code: 2, stderr: expect.stringContaining('pass --verify-only') });
      const added = await run(['keys', 'add', '--file', file, '--verify-only']);
      expect(added.code).toBe(0);
      const staged = (await readJwks(file)).keys[1]!;
      expect(staged.key_ops).toEqual(['verify']);
      expect(added.stderr).toContain(`keys promote --file ${file} --kid ${staged.kid}`);
      expect(rows((await run(['keys', 'list', '--file', file])).stdout)).toEqual([
        [old!.kid, 'RS256', 'signer'],
        [staged.kid, 'RS256', 'verify-only'],
      ]);
      // The staged key is not the signer: the configuration keeps the old one in front.
      expect((await run(['keys', 'retire', '--file', file, '--kid', old!.kid!])).stderr).toContain('is the current RS256 signer');

      expect((await run(['keys', 'promote', '--file', file, '--kid', staged.kid!])).code).toBe(0);
      const promoted = (await readJwks(file)).keys[1]!;
      expect(promoted.key_ops).toBeUndefined();
      expect(rows((await run(['keys', 'list', '--file', file])).stdout)).toEqual([
        [old!.kid, 'RS256', 'verify-only'],
        [staged.kid, 'RS256', 'signer'],
      ]);
      expect(await run(['keys', 'promote', '--file', file, '--kid', 'nope'])).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('no key with kid "nope"'),
      });
    });

    it('promote --check refuses while an instance does not publish the key, and promotes once all do', async () => {
      await run(['keys', 'generate', '--out', file]);
      await run(['keys', 'add', '--file', file, '--verify-only']);
      const staged = String((await readJwks(file)).keys[1]!.kid);
      const published: Record<string, string[]> = { 'http://a.internal:3000/jwks': [staged], 'http://b.internal:3000/jwks': [] };
      const fetch = (async (url: URL) =>
        new Response(JSON.stringify({ keys: published[url.href]!.map((kid) => ({ kid })) }))) as unknown as typeof globalThis.fetch;
      const argv = [
        'keys',
        'promote',
        '--file',
        file,
        '--kid',
        staged,
        '--check',
        'http://a.internal:3000',
        '--check',
        'http://b.internal:3000',
      ];
      const refused = await run(argv, { fetch });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`http://b.internal:3000 does not publish ${staged} yet`);
      expect((await readJwks(file)).keys[1]!.key_ops).toEqual(['verify']);
      published['http://b.internal:3000/jwks'] = [staged];
      expect((await run(argv, { fetch })).code).toBe(0);
      expect((await readJwks(file)).keys[1]!.key_ops).toBeUndefined();
    });

    it('rotates one algorithm without touching the others', async () => {
      await run(['keys', 'generate', '--out', file, '--alg', 'RS256', '--alg', 'ES256']);
      expect((await run(['keys', 'rotate', '--file', file, '--alg', 'ES256', '--promote-in', '0'])).code).toBe(0);
      const list = rows((await run(['keys', 'list', '--file', file])).stdout);
      expect(list.map((r) => [r[1], r[2]])).toEqual([
        ['ES256', 'signer'],
        ['RS256', 'signer'],
        ['ES256', 'verify-only'],
      ]);
    });

    it('retire removes a verify-only key', async () => {
      await run(['keys', 'generate', '--out', file]);
      const [old] = (await readJwks(file)).keys;
      await run(['keys', 'rotate', '--file', file, '--promote-in', '0']);
      const result = await run(['keys', 'retire', '--file', file, '--kid', old!.kid!]);
      expect(result.code).toBe(0);
      const jwks = await readJwks(file);
      expect(jwks.keys.map((k) => k.kid)).not.toContain(old!.kid);
      expect(jwks.keys).toHaveLength(1);
      expect(await mode(file)).toBe(0o600);
    });

    it('retire refuses the only key of an algorithm', async () => {
      await run(['keys', 'generate', '--out', file, '--alg', 'RS256', '--alg', 'ES256']);
      const es = (await readJwks(file)).keys[1]!;
      const result = await run(['keys', 'retire', '--file', file, '--kid', es.kid!]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is the only ES256 key');
      expect((await readJwks(file)).keys).toHaveLength(2);
    });

    it('retire refuses the current signer', async () => {
      await run(['keys', 'generate', '--out', file]);
      await run(['keys', 'rotate', '--file', file, '--promote-in', '0']);
      const signer = (await readJwks(file)).keys[0]!;
      const result = await run(['keys', 'retire', '--file', file, '--kid', signer.kid!]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is the current RS256 signer');
      expect((await readJwks(file)).keys).toHaveLength(2);
    });

    it('generates kids that a command line cannot take for an option (hex, never "-" first)', async () => {
      await run(['keys', 'generate', '--out', file, '--alg', 'RS256', '--alg', 'ES256', '--alg', 'EdDSA']);
      for (const key of (await readJwks(file)).keys) expect(key.kid).toMatch(/^[0-9a-f]{24}$/);
    });

    it('retires a key whose kid starts with "-" given as --kid=…, and says how when given as --kid …', async () => {
      await run(['keys', 'generate', '--out', file]);
      const [old] = (await readJwks(file)).keys;
      // A key set from elsewhere may have any kid.
      await writeFile(file, JSON.stringify({ keys: [{ ...old, kid: '-imported' }] }));
      await run(['keys', 'rotate', '--file', file, '--promote-in', '0']);
      const ambiguous = await run(['keys', 'retire', '--file', file, '--kid', '-imported']);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toContain('--kid=-');
      const retired = await run(['keys', 'retire', '--file', file, '--kid=-imported']);
      expect(retired.code, retired.stderr).toBe(0);
      expect((await readJwks(file)).keys.map((k) => k.kid)).not.toContain('-imported');
    });

    it('retire reports an unknown kid', async () => {
      await run(['keys', 'generate', '--out', file]);
      const result = await run(['keys', 'retire', '--file', file, '--kid', 'nope']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no key with kid "nope"');
    });

    it('treats a key without "alg" as its type implies, ranked after keys with "alg" as oidc-provider does', async () => {
      await run(['keys', 'generate', '--out', file]);
      const jwks = await readJwks(file);
      const { alg: _alg, use: _use, ...bare } = jwks.keys[0]!;
      await run(['keys', 'generate', '--out', file, '--force']);
      const fresh = await readJwks(file);
      await writeFile(file, JSON.stringify({ keys: [{ ...bare }, ...fresh.keys] }));
      const list = rows((await run(['keys', 'list', '--file', file])).stdout);
      expect(list).toEqual([
        [bare.kid, 'RS256', 'verify-only'],
        [fresh.keys[0]!.kid, 'RS256', 'signer'],
      ]);
    });

    it.each([
      ['missing', undefined, 'does not exist'],
      ['not JSON', '{', 'is not valid JSON'],
      ['not a key set', '{"keys":[]}', 'is not a JSON Web Key Set'],
      ['public keys', '{"keys":[{"kty":"EC","kid":"a","crv":"P-256","x":"x","y":"y"}]}', 'cannot sign'],
      ['duplicate kids', '{"keys":[{"kty":"EC","kid":"a","d":"1"},{"kty":"EC","kid":"a","d":"2"}]}', 'appears twice'],
    ])('rotate, retire and list refuse a file that is %s (exit 1)', async (_name, content, message) => {
      if (content !== undefined) await writeFile(file, content);
      for (const argv of [
        ['keys', 'rotate', '--file', file],
        ['keys', 'retire', '--file', file, '--kid', 'a'],
        ['keys', 'list', '--file', file],
      ]) {
        const result = await run(argv);
        expect(result.code, argv.join(' ')).toBe(1);
        expect(result.stderr).toContain(message);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      }
    });

    it.each([
      [['keys', 'rotate'], 'missing --file FILE'],
      [['keys', 'rotate', '--file', 'x', '--alg', 'PS256'], '--alg must be'],
      [['keys', 'rotate', '--file', 'x', '--alg', 'RS256', '--alg', 'ES256'], '--alg given more than once'],
      [['keys', 'retire', '--file', 'x'], 'missing --kid KID'],
      [['keys', 'retire', '--kid', 'x'], 'missing --file FILE'],
      [['keys', 'list'], 'missing --file FILE'],
      [['keys', 'list', '--file', 'x', '--all'], "Unknown option '--all'"],
    ])('%j is a usage error (exit 2)', async (argv, message) => {
      const result = await run(argv, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`Usage: evrmore-accounts ${argv.slice(0, 2).join(' ')}`);
    });
  });
});
