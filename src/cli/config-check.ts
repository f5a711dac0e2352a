import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { HELP_OPTION, parseOptions } from './args.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { EXIT_OK, EXIT_USAGE } from './context.js';
import { describeRedisTarget } from '../config/redis-url.js';

const USAGE = `Usage: ${PROGRAM} config check

Validates the configuration the server would start with (environment variables and the files
they name) and prints a summary without secrets, or every problem, one per line.

Options:
  -h, --help    show this help

Exit status: 0 valid, 2 invalid.`;

/** Lines without secrets: a Redis URL may carry a password, so only its hosts are shown. */
export function summarize(config: Config): string[] {
  const store = config.redis
    ? `${describeRedisTarget(config.redis)} (key prefix "${config.redisKeyPrefix}")`
    : 'memory (development only: everything is lost on restart)';
  return [
    `  environment:   ${config.env}`,
    `  issuer:        ${config.issuer.href}`,
    `  store:         ${store}`,
    `  network:       ${config.network}`,
    `  evrmore node:  ${config.chain ? `${config.chain.rpcUrl.host} (chain claims and access rules on)` : 'none (chain claims off)'}`,
    `  clients:       ${config.clients.length}${config.clientsFile ? ` (from ${config.clientsFile})` : ''}${config.demo ? ' + demo client' : ''}`,
    `  signing keys:  ${config.jwks ? `${config.jwks.keys.length} configured` : `generated in ${config.dataDir} (development)`}`,
    `  cookie keys:   ${config.cookieKeys ? `${config.cookieKeys.length} configured` : `generated in ${config.dataDir} (development)`}`,
  ];
}

const check: Command = {
  name: 'config check',
  summary: 'validate the configuration the server would start with',
  usage: USAGE,
  async run(argv, ctx) {
    const values = parseOptions(argv, HELP_OPTION);
    if (values.help) return printHelp(check, ctx);
    let config: Config;
    try {
      config = loadConfig(ctx.env, ctx.cwd);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ctx.err(`configuration invalid (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):`);
      for (const problem of error.problems) ctx.err(problem);
      return EXIT_USAGE;
    }
    ctx.out('configuration OK');
    ctx.out(summarize(config).join('\n'));
    return EXIT_OK;
  },
};

export const configCommand = group('config', "validate the configuration the server would start with ('config check')", [check]);
