import { NETWORKS } from '../evrmore/index.js';
import { HELP_OPTION, oneOf, parseOptions } from './args.js';
import { PROGRAM, printHelp, type Command } from './command.js';
import { EXIT_OK, UsageError, type CliContext } from './context.js';
import { loadSignerKey, openSigner } from './private-key.js';
import { parseWalletUrl, signWalletUrl } from './wallet-url.js';

const OPTIONS = {
  ...HELP_OPTION,
  text: { type: 'string' },
  url: { type: 'string' },
  network: { type: 'string' },
  json: { type: 'boolean' },
  'wif-stdin': { type: 'boolean' },
} as const;

const USAGE = `Usage: ${PROGRAM} sign --text TEXT [--network mainnet|testnet] [--json] [--wif-stdin]
       ${PROGRAM} sign --url WALLET_URL [--network mainnet|testnet] [--json] [--wif-stdin]

A test wallet for people without a GUI wallet and for integrators. It signs exactly like
\`evrmore-cli signmessage\`: RFC 6979 deterministic signatures, so the same key and text give
the same base64 signature as Evrmore Core.

Options:
  --text TEXT      sign TEXT and print the base64 signature (the address goes to stderr)
  --url URL        sign in through a wallet URL (the login page's QR code): fetch its
                   challenge, sign it, submit the signature and print the server's answer
  --network NAME   mainnet or testnet (default mainnet; with --url, the challenge's network)
  --json           print {address, network, message, signature}, or the server's JSON answer
  --wif-stdin      read the private key (WIF) from the first line of standard input
  -h, --help       show this help

The private key (WIF) comes from the environment variable EVRMORE_WIF or, with --wif-stdin, from
standard input; never from the command line, where shell history and process lists keep it.

Examples:
  read -rs EVRMORE_WIF && export EVRMORE_WIF      # type the key; it is not echoed
  ${PROGRAM} sign --text "Hello Evrmore"
  ${PROGRAM} sign --wif-stdin --url https://id.example.com/w/CODE < key.txt

Exit status: 0 signed, 1 refused or failed, 2 bad usage.`;

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a message or a wallet-URL challenge with an Evrmore key (test wallet)',
  usage: USAGE,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) return printHelp(signCommand, ctx);
    const { text, json = false } = values;
    if (text !== undefined && values.url !== undefined) throw new UsageError('give --text or --url, not both');
    const network = values.network === undefined ? undefined : oneOf(values.network, ['mainnet', 'testnet'] as const, '--network');
    const fromStdin = values['wif-stdin'] === true;

    if (values.url !== undefined) {
      const url = parseWalletUrl(values.url);
      return signWalletUrl({ url, wif: await loadSignerKey(ctx, fromStdin), network, json }, ctx);
    }
    if (text === undefined) throw new UsageError('missing --text TEXT or --url WALLET_URL');
    if (text === '') throw new UsageError('--text is empty');
    const wif = await loadSignerKey(ctx, fromStdin);

    const chosen = NETWORKS[network ?? 'mainnet'];
    const signer = openSigner(
      wif,
      chosen,
      network ? `--network is ${chosen.name}` : 'the network is mainnet (the default): pass --network testnet to use it',
    );
    const signature = signer.sign(text);
    if (json) {
      ctx.out(JSON.stringify({ address: signer.address, network: chosen.name, message: text, signature }));
    } else {
      ctx.out(signature);
      ctx.err(`address: ${signer.address} (${chosen.name})`);
    }
    return EXIT_OK;
  },
};
