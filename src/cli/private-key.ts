/**
 * The signing key of the test wallet. Argv is world-readable (`ps`, /proc/PID/cmdline) and is
 * kept in shell history, so a key found there is refused rather than used.
 */
import { signerKeyFromEnv } from '../config/index.js';
import { addressOfWif, decodeWif, NETWORKS, signMessage, type EvrmoreNetwork } from '../evrmore/index.js';
import { CliError, UsageError, type CliContext } from './context.js';

export const KEY_SOURCES = 'set EVRMORE_WIF in the environment, or pipe the key into --wif-stdin';

const NEVER_ON_ARGV = `never put a private key on the command line: it lands in shell history and in process lists that other users can read; ${KEY_SOURCES}`;

const KEY_OPTION = /^--?(wif|key|private-?key|priv-?key|secret-?key)(=|$)/i;

/** Uncompressed keys are 51 base58 characters, compressed ones 52. */
const WIF_CANDIDATE = /^[1-9A-HJ-NP-Za-km-z]{51,52}$/;

export function refusePrivateKeyArguments(argv: readonly string[]): void {
  for (const arg of argv) {
    const option = KEY_OPTION.exec(arg);
    if (option) throw new UsageError(`option --${option[1]} refused: ${NEVER_ON_ARGV}`);
    if (containsWif(arg)) {
      throw new UsageError(
        `an argument is a private key (WIF), refused: ${NEVER_ON_ARGV} (if it is a real key, delete it from your shell history)`,
      );
    }
  }
}

function containsWif(text: string): boolean {
  return text
    .split(/[^1-9A-HJ-NP-Za-km-z]+/)
    .some((token) => WIF_CANDIDATE.test(token) && (isWifOf(token, NETWORKS.mainnet) || isWifOf(token, NETWORKS.testnet)));
}

function isWifOf(wif: string, network: EvrmoreNetwork): boolean {
  try {
    decodeWif(wif, network);
    return true;
  } catch {
    return false;
  }
}

/** With --wif-stdin the first line of standard input, otherwise EVRMORE_WIF. */
export async function loadSignerKey(ctx: CliContext, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const line = (await ctx.stdin()).split(/\r?\n/, 1)[0]?.trim();
    if (!line) throw new CliError('standard input is empty: --wif-stdin reads the private key (WIF) from its first line');
    return line;
  }
  const key = signerKeyFromEnv(ctx.env);
  if (!key) throw new UsageError(`no private key: ${KEY_SOURCES}`);
  return key;
}

export interface Signer {
  address: string;
  network: EvrmoreNetwork;
  sign(message: string): string;
}

/**
 * `expectation` completes "the private key is a testnet key, but ..." with why `network` was
 * chosen, so the person knows which of the two to change.
 */
export function openSigner(wif: string, network: EvrmoreNetwork, expectation: string): Signer {
  const other = network.name === 'mainnet' ? NETWORKS.testnet : NETWORKS.mainnet;
  if (!isWifOf(wif, network) && isWifOf(wif, other)) {
    throw new CliError(`the private key is a ${other.name} key, but ${expectation}`);
  }
  const address = addressOfWif(wif, network);
  return { address, network, sign: (message) => signMessage(message, wif, network) };
}
