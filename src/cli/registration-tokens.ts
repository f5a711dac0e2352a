import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { parseDuration } from '../duration.js';
import { createRedisRegistrationTokens, type PartnerToken, type RegistrationTokens } from '../oidc/registration-tokens.js';
import { connectRedis } from '../product/redis-connection.js';
import { HELP_OPTION, parseOptions, required } from './args.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { CliError, EXIT_OK, UsageError, type CliContext } from './context.js';
import { formatTable } from './table.js';

const ENVIRONMENT = `The command reaches the provider's Redis with its own configuration (REDIS_URL,
REDIS_KEY_PREFIX and the rest of the environment the provider runs with), e.g.
  docker compose exec accounts node dist/cli.js registration-tokens list`;

/** Runs `action` on the deployment's token store, then closes the connection. */
async function withTokens<T>(ctx: CliContext, action: (tokens: RegistrationTokens) => Promise<T>): Promise<T> {
  let config: Config;
  try {
    config = loadConfig(ctx.env, ctx.cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`the provider's configuration does not load: ${error.problems.join('; ')}`);
    throw error;
  }
  if (!config.redis) throw new CliError("REDIS_URL is not set: per-partner registration tokens live in the provider's Redis");
  if (config.registration.mode !== 'token' || config.registration.initialAccessToken) {
    ctx.err(
      `Note: the provider runs with REGISTRATION=${config.registration.mode}${config.registration.initialAccessToken ? ' and one shared REGISTRATION_INITIAL_ACCESS_TOKEN' : ''}: it honours per-partner tokens only with REGISTRATION=token and no shared token.`,
    );
  }
  const redis = connectRedis(config);
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new CliError(`cannot reach Redis: ${(error as Error).message}`);
  }
  try {
    return await action(createRedisRegistrationTokens(redis));
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

const date = (seconds?: number) => (seconds === undefined ? 'never' : new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
const rows = (records: PartnerToken[]) => records.map((r) => [r.id, r.partner, date(r.createdAt), date(r.expiresAt)]);
const HEADER = ['ID', 'PARTNER', 'ISSUED', 'EXPIRES'];

const issueOptions = { ...HELP_OPTION, partner: { type: 'string' }, 'expires-in': { type: 'string' } } as const;

const issue: Command = {
  name: 'registration-tokens issue',
  summary: 'issue an initial access token for one partner (printed once)',
  usage: `Usage: ${PROGRAM} registration-tokens issue --partner NAME [--expires-in DURATION]

Issues a token with which one partner registers its clients at /reg (RFC 7591 §3: the
"Authorization: Bearer TOKEN" of the registration request). Only a hash is stored: the token
is printed once. Revoke it alone with 'registration-tokens revoke'.

Options:
  --partner NAME           who the token is for (shown by 'list')
  --expires-in DURATION    seconds, or a number with s, m, h or d (default: no expiry)
  -h, --help               show this help

${ENVIRONMENT}`,
  async run(argv, ctx) {
    const values = parseOptions(argv, issueOptions);
    if (values.help) return printHelp(issue, ctx);
    const partner = required(values.partner, '--partner NAME').trim();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    if (partner.length > 100 || /[\u0000-\u001f]/.test(partner))
      throw new UsageError('--partner must be a name of at most 100 printable characters');
    const ttl = values['expires-in'] === undefined ? undefined : parseDuration(values['expires-in']);
    if (values['expires-in'] !== undefined && !ttl)
      throw new UsageError(
        `--expires-in must be a positive duration: seconds, or a number with s, m, h or d (got "${values['expires-in']}")`,
      );
    const { token, record } = await withTokens(ctx, (tokens) => tokens.issue(partner, ttl));
    ctx.out(`registration_token: ${token}`);
    ctx.err(
      `Issued token ${record.id} for ${partner}${record.expiresAt ? `, valid until ${date(record.expiresAt)}` : ''}. It is shown only this once: hand it to the partner now.`,
    );
    return EXIT_OK;
  },
};

const listOptions = { ...HELP_OPTION } as const;

const list: Command = {
  name: 'registration-tokens list',
  summary: 'show id, partner and dates of each token (never the token)',
  usage: `Usage: ${PROGRAM} registration-tokens list

${ENVIRONMENT}`,
  async run(argv, ctx) {
    const values = parseOptions(argv, listOptions);
    if (values.help) return printHelp(list, ctx);
    const records = await withTokens(ctx, (tokens) => tokens.list());
    if (records.length === 0) ctx.err('No registration tokens.');
    else ctx.out(formatTable(HEADER, rows(records)));
    return EXIT_OK;
  },
};

const revokeOptions = { ...HELP_OPTION, id: { type: 'string' }, partner: { type: 'string' } } as const;

const revoke: Command = {
  name: 'registration-tokens revoke',
  summary: "revoke one token (--id) or all of a partner's (--partner)",
  usage: `Usage: ${PROGRAM} registration-tokens revoke --id ID
       ${PROGRAM} registration-tokens revoke --partner NAME

Every instance refuses the token at once. Clients the partner already registered stay
registered (each manages itself with its registration access token, RFC 7592).

${ENVIRONMENT}`,
  async run(argv, ctx) {
    const values = parseOptions(argv, revokeOptions);
    if (values.help) return printHelp(revoke, ctx);
    if ((values.id === undefined) === (values.partner === undefined)) throw new UsageError('give --id ID or --partner NAME');
    const target = (values.id ?? values.partner)!;
    const count = await withTokens(ctx, (tokens) => tokens.revoke(target));
    if (count === 0) throw new CliError(`no registration token with ${values.id !== undefined ? `id "${target}"` : `partner "${target}"`}`);
    ctx.err(`Revoked ${count} token${count === 1 ? '' : 's'}.`);
    return EXIT_OK;
  },
};

export const registrationTokensCommand = group('registration-tokens', 'per-partner initial access tokens for dynamic client registration', [
  issue,
  list,
  revoke,
]);
