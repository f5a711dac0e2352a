import { generateSigningKey, type SigningAlgorithm } from '../keys.js';
import { HELP_OPTION, oneOf, parseOptions, required } from './args.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { EXIT_OK, type CliContext } from './context.js';
import { resolvePath, toJson, writeSecretFile } from './files.js';
import { ALGORITHMS, describeKeys, readJwksFile, retire, rotateIn, signerOf, type Jwk } from './jwks-file.js';
import { formatTable } from './table.js';

const ALG_LIST = ALGORITHMS.join('|');

function algorithm(value: string): SigningAlgorithm {
  return oneOf(value, ALGORITHMS, '--alg');
}

function printKeys(ctx: CliContext, keys: readonly Jwk[]): void {
  ctx.out(formatTable(['KID', 'ALG', 'POSITION'], describeKeys(keys).map((k) => [k.kid, k.alg, k.role])));
}

const generateOptions = { ...HELP_OPTION, out: { type: 'string' }, alg: { type: 'string', multiple: true }, force: { type: 'boolean' } } as const;

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

const rotateOptions = { ...HELP_OPTION, file: { type: 'string' }, alg: { type: 'string' } } as const;

const rotate: Command = {
  name: 'keys rotate',
  summary: 'add a new signing key in front; old keys stay for verification',
  usage: `Usage: ${PROGRAM} keys rotate --file FILE [--alg ${ALG_LIST}]

Adds a new private key at the front of FILE: after a restart the provider signs with it (it
signs with the first key of an algorithm) and still publishes the old keys, so tokens they
signed keep verifying. Retire an old key once the longest token lifetime has passed.

Options:
  --file FILE   the key set (JWKS_FILE)
  --alg ALG     ${ALGORITHMS.join(', ')} (default RS256)
  -h, --help    show this help`,
  async run(argv, ctx) {
    const values = parseOptions(argv, rotateOptions);
    if (values.help) return printHelp(rotate, ctx);
    const file = resolvePath(ctx, required(values.file, '--file FILE'));
    const alg = algorithm(values.alg ?? 'RS256');
    const jwks = await readJwksFile(file);
    const previous = signerOf(jwks.keys, alg);
    const key = await generateSigningKey(alg);
    const rotated = rotateIn(jwks, key);
    await writeSecretFile(file, toJson(rotated), { overwrite: true });
    ctx.err(`Added ${alg} key ${String(key['kid'])} as the signer${previous ? `; ${String(previous['kid'])} is now verify-only` : ''}. Restart the provider to use it.`);
    printKeys(ctx, rotated.keys);
    return EXIT_OK;
  },
};

const retireOptions = { ...HELP_OPTION, file: { type: 'string' }, kid: { type: 'string' } } as const;

const retireCommand: Command = {
  name: 'keys retire',
  summary: 'remove an old verify-only key',
  usage: `Usage: ${PROGRAM} keys retire --file FILE --kid KID

Removes a key that 'keys rotate' has replaced. Tokens it signed stop verifying, so wait until
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
    ctx.err(`Removed key ${kid}. Restart the provider to stop publishing it.`);
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

export const keysCommand = group('keys', "manage the provider's signing keys (JWKS_FILE)", [generate, rotate, retireCommand, list]);
