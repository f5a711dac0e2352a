import { generateSigningKey, type SigningAlgorithm } from '../keys.js';
import { HELP_OPTION, oneOf, parseOptions, required } from './args.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { CliError, EXIT_OK, UsageError, type CliContext } from './context.js';
import { resolvePath, toJson, writeSecretFile } from './files.js';
import { ALGORITHMS, describeKeys, promote, readJwksFile, retire, rotateIn, signerOf, type Jwk } from './jwks-file.js';
import { parseDuration } from '../duration.js';

/** Running instances re-read JWKS_FILE every CONFIG_WATCH_INTERVAL (src/reload.ts). */
const LIVE = 'Running providers apply it within seconds (they re-read the file every CONFIG_WATCH_INTERVAL, 2 s by default).';
import { formatTable } from './table.js';

const ALG_LIST = ALGORITHMS.join('|');

function algorithm(value: string): SigningAlgorithm {
  return oneOf(value, ALGORITHMS, '--alg');
}

function printKeys(ctx: CliContext, keys: readonly Jwk[]): void {
  ctx.out(
    formatTable(
      ['KID', 'ALG', 'POSITION'],
      describeKeys(keys).map((k) => [k.kid, k.alg, k.role]),
    ),
  );
}

const generateOptions = {
  ...HELP_OPTION,
  out: { type: 'string' },
  alg: { type: 'string', multiple: true },
  force: { type: 'boolean' },
} as const;

const generate: Command = {
  name: 'keys generate',
  summary: 'write a new JWKS of private signing keys',
  usage: `Usage: ${PROGRAM} keys generate --out FILE [--alg ${ALG_LIST} ...] [--force]

Writes a JSON Web Key Set of new private signing keys to FILE (mode 0600), for JWKS_FILE.
Prints only kids and algorithms, never key material.

Options:
  --out FILE    where to write the key set
  --alg ALG     ${ALGORITHMS.join(', ')}; repeat for several (default RS256: providers must
                offer it, OIDC Core §15.1, and clients expect it unless registered otherwise)
  --force       replace FILE if it exists (its keys are lost: tokens they signed stop verifying;
                'keys rotate' keeps them)
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, generateOptions);
    if (values.help) return printHelp(generate, ctx);
    const file = resolvePath(ctx, required(values.out, '--out FILE'));
    const algs = [...new Set((values.alg ?? ['RS256']).map(algorithm))];
    const keys: Jwk[] = [];
    for (const alg of algs) keys.push(await generateSigningKey(alg));
    await writeSecretFile(file, toJson({ keys }), {
      overwrite: values.force === true,
      existsHint: "pass --force to replace it, or use 'keys rotate' to add a key and keep the old ones",
    });
    ctx.err(`Wrote ${keys.length} private key${keys.length === 1 ? '' : 's'} to ${file} (mode 0600). Point JWKS_FILE at it.`);
    printKeys(ctx, keys);
    return EXIT_OK;
  },
};

/** Longer than any instance takes to read the file again (CONFIG_WATCH_INTERVAL, or a mounted Kubernetes Secret's refresh). */
const DEFAULT_PROMOTE_IN = '10m';

function duration(text: string, option: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new UsageError(`${option} must be a duration: seconds, or a number with s, m, h or d (got "${text}")`);
  return seconds;
}

const rotateOptions = { ...HELP_OPTION, file: { type: 'string' }, alg: { type: 'string' }, 'promote-in': { type: 'string' } } as const;

const rotate: Command = {
  name: 'keys rotate',
  summary: 'add a new signing key, published at once, signing after a delay',
  usage: `Usage: ${PROGRAM} keys rotate --file FILE [--alg ${ALG_LIST}] [--promote-in DURATION]

Rotation in one command, without a moment when a token fails to verify: adds a new private key
that every instance publishes at once (they re-read FILE within seconds) and that starts to sign
after DURATION (default ${DEFAULT_PROMOTE_IN}), when every instance publishes it. The old key stays
published, verify-only, for the tokens it signed; retire it once the longest token lifetime
has passed. --promote-in 0 signs at once: only for a single instance.

Options:
  --file FILE             the key set (JWKS_FILE)
  --alg ALG               ${ALGORITHMS.join(', ')} (default RS256)
  --promote-in DURATION   when the new key starts to sign: seconds, or a number with s, m, h
                          or d (default ${DEFAULT_PROMOTE_IN})
  -h, --help              show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, rotateOptions);
    if (values.help) return printHelp(rotate, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const alg = algorithm(values.alg ?? 'RS256');
    const delay = duration(values['promote-in'] ?? DEFAULT_PROMOTE_IN, '--promote-in');
    const jwks = await readJwksFile(file);
    const previous = signerOf(jwks.keys, alg);
    const key = await generateSigningKey(alg);
    const at = Date.now() / 1000 + delay;
    const rotated = promote(rotateIn(jwks, key), String(key.kid), at);
    await writeSecretFile(file, toJson(rotated), { overwrite: true });
    const when = delay === 0 ? 'now' : `from ${new Date(Math.floor(at) * 1000).toISOString()}`;
    ctx.err(
      `Added ${alg} key ${String(key.kid)}: published at once, signing ${when}${previous ? `; ${String(previous.kid)} then stays published, verify-only` : ''}. ${LIVE}`,
    );
    printKeys(ctx, rotated.keys);
    return EXIT_OK;
  },
};

const addOptions = { ...HELP_OPTION, file: { type: 'string' }, alg: { type: 'string' }, 'verify-only': { type: 'boolean' } } as const;

const add: Command = {
  name: 'keys add',
  summary: 'stage a new key: published for verification, not signing',
  usage: `Usage: ${PROGRAM} keys add --file FILE --verify-only [--alg ${ALG_LIST}]

The first step of a rotation by hand: adds a new private key marked verify-only
(key_ops ["verify"]). Every instance publishes it within seconds and none signs with it. Once
every instance publishes it (check each one's /jwks, or let 'keys promote --check' do it),
make it the signer with 'keys promote'. 'keys rotate' does both steps on a schedule.

Options:
  --file FILE     the key set (JWKS_FILE)
  --verify-only   required: the key is published but does not sign
  --alg ALG       ${ALGORITHMS.join(', ')} (default RS256)
  -h, --help      show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, addOptions);
    if (values.help) return printHelp(add, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    if (values['verify-only'] !== true)
      throw new UsageError("keys add stages a key: pass --verify-only (or use 'keys rotate' to add and schedule it in one step)");
    const alg = algorithm(values.alg ?? 'RS256');
    const jwks = await readJwksFile(file);
    const key: Jwk = { ...(await generateSigningKey(alg)), key_ops: ['verify'] };
    const staged = { ...jwks, keys: [...jwks.keys, key] };
    await writeSecretFile(file, toJson(staged), { overwrite: true });
    ctx.err(
      `Added ${alg} key ${String(key.kid)}, verify-only. ${LIVE} Then: ${PROGRAM} keys promote --file ${values.file} --kid ${String(key.kid)}`,
    );
    printKeys(ctx, staged.keys);
    return EXIT_OK;
  },
};

const promoteOptions = {
  ...HELP_OPTION,
  file: { type: 'string' },
  kid: { type: 'string' },
  check: { type: 'string', multiple: true },
} as const;

const promoteCommand: Command = {
  name: 'keys promote',
  summary: 'make a staged key the signer; the old signer stays, verify-only',
  usage: `Usage: ${PROGRAM} keys promote --file FILE --kid KID [--check URL ...]

Makes KID the signer of its algorithm; the key that signed until now stays published,
verify-only, for the tokens it signed. Promote only a key that every instance already
publishes: with --check, the command reads each instance's /jwks first and refuses while one
does not publish KID.

Options:
  --file FILE   the key set (JWKS_FILE)
  --kid KID     the staged key (see 'keys list')
  --check URL   an instance's own base URL (e.g. http://10.0.0.5:3000); repeat for each
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, promoteOptions);
    if (values.help) return printHelp(promoteCommand, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const kid = required(values.kid, '--kid KID');
    const jwks = await readJwksFile(file);
    const promoted = promote(jwks, kid, Date.now() / 1000);
    for (const instance of values.check ?? []) {
      const published = await publishedKids(ctx, instance);
      if (!published.includes(kid))
        throw new CliError(`${instance} does not publish ${kid} yet: wait until every instance has read the file, then promote`);
    }
    await writeSecretFile(file, toJson(promoted), { overwrite: true });
    ctx.err(`Key ${kid} signs now. ${LIVE}`);
    printKeys(ctx, promoted.keys);
    return EXIT_OK;
  },
};

async function publishedKids(ctx: CliContext, instance: string): Promise<string[]> {
  let url: URL;
  try {
    url = new URL('/jwks', instance);
  } catch {
    throw new UsageError(`--check must be a URL (got "${instance}")`);
  }
  try {
    const response = await ctx.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: Array<{ kid?: unknown }> };
    return (body.keys ?? []).map((key) => String(key.kid));
  } catch (error) {
    throw new CliError(`cannot read ${url.href}: ${(error as Error).message}`);
  }
}

const retireOptions = { ...HELP_OPTION, file: { type: 'string' }, kid: { type: 'string' } } as const;

const retireCommand: Command = {
  name: 'keys retire',
  summary: 'remove an old verify-only key',
  usage: `Usage: ${PROGRAM} keys retire --file FILE --kid KID

Removes a key that 'keys rotate' or 'keys promote' has replaced. Tokens it signed stop verifying, so wait until
the longest token lifetime (refresh tokens, REFRESH_TOKEN_TTL) has passed since the rotation.
The only key of an algorithm and the current signer cannot be retired.

Options:
  --file FILE   the key set (JWKS_FILE)
  --kid KID     the key to remove (see 'keys list')
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, retireOptions);
    if (values.help) return printHelp(retireCommand, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const kid = required(values.kid, '--kid KID');
    const remaining = retire(await readJwksFile(file), kid);
    await writeSecretFile(file, toJson(remaining), { overwrite: true });
    ctx.err(`Removed key ${kid}. ${LIVE}`);
    printKeys(ctx, remaining.keys);
    return EXIT_OK;
  },
};

const listOptions = { ...HELP_OPTION, file: { type: 'string' } } as const;

const list: Command = {
  name: 'keys list',
  summary: 'show kid, algorithm and position (signer or verify-only) of each key',
  usage: `Usage: ${PROGRAM} keys list --file FILE

Options:
  --file FILE   the key set (JWKS_FILE)
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, listOptions);
    if (values.help) return printHelp(list, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    printKeys(ctx, (await readJwksFile(file)).keys);
    return EXIT_OK;
  },
};

export const keysCommand = group('keys', "manage the provider's signing keys (JWKS_FILE)", [
  generate,
  rotate,
  add,
  promoteCommand,
  retireCommand,
  list,
]);
