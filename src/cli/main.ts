import { clientsCommand } from './clients.js';
import { group, runCommand } from './command.js';
import { configCommand } from './config-check.js';
import type { CliContext } from './context.js';
import { keysCommand } from './keys.js';
import { registrationTokensCommand } from './registration-tokens.js';
import { refusePrivateKeyArguments } from './private-key.js';
import { signCommand } from './sign.js';
import { walletCommand } from './wallet.js';

const EPILOGUE = `Exit status: 0 success, 1 failure (the reason is printed), 2 bad usage.
The sign command reads its private key from EVRMORE_WIF or standard input, never from the
command line.`;

export const program = group(
  '',
  'operator commands of Evrmore Accounts, the OpenID Connect provider with Evrmore wallet sign-in',
  [signCommand, walletCommand, keysCommand, clientsCommand, registrationTokensCommand, configCommand],
  EPILOGUE,
);

/** The whole CLI as a function: argv without "node" and the script, and what to talk to. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  return runCommand(
    {
      ...program,
      async run(args, context) {
        // Before anything else, so that no command, not even --help, runs with a key in argv.
        refusePrivateKeyArguments(args);
        return program.run(args, context);
      },
    },
    argv,
    ctx,
  );
}
