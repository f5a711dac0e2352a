import { generateWif, addressOfWif, NETWORKS } from '../evrmore/index.js';
import { HELP_OPTION, parseOptions } from './args.js';
import { group, PROGRAM, printHelp, type Command } from './command.js';
import { EXIT_OK, type CliContext } from './context.js';

const OPTIONS = { ...HELP_OPTION, testnet: { type: 'boolean' }, json: { type: 'boolean' } } as const;

const USAGE = `Usage: ${PROGRAM} wallet new [--testnet] [--json]

Makes a fresh Evrmore key for trying sign-in without a wallet, and prints its private key (WIF)
and its address. The key comes from the system's random generator and is kept nowhere: copy
it where you need it. It is a real key: anyone who sees the WIF controls the address, so never
send coins to a key that was printed in a terminal or a log.

Options:
  --testnet    a testnet key and address (m… or n…) instead of mainnet (E…)
  --json       print {wif, address, network}
  -h, --help   show this help

Example (sign in from a terminal through the link under the sign-in page's QR code):
  ${PROGRAM} wallet new                           # copy the WIF
  read -rs EVRMORE_WIF && export EVRMORE_WIF      # paste it; it is not echoed
  ${PROGRAM} sign --url http://localhost:3000/w/CODE

Exit status: 0 made, 2 bad usage.`;

const walletNewCommand: Command = {
  name: 'wallet new',
  summary: 'make a fresh test key (WIF) and print it with its address',
  usage: USAGE,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return printHelp(walletNewCommand, ctx);
    const network = NETWORKS[values.testnet ? 'testnet' : 'mainnet'];
    const wif = generateWif(network);
    const address = addressOfWif(wif, network);
    if (values.json) {
      ctx.out(JSON.stringify({ wif, address, network: network.name }));
    } else {
      ctx.out(`private key (WIF): ${wif}`);
      ctx.out(`address:           ${address} (${network.name})`);
      ctx.err('Keep the WIF secret; to sign with it: export EVRMORE_WIF=<the WIF>, then evrmore-accounts sign --url <the QR link>.');
    }
    return EXIT_OK;
  },
};

export const walletCommand = group('wallet', 'test wallets for trying sign-in without an Evrmore wallet', [walletNewCommand]);
