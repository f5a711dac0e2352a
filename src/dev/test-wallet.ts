/**
 * The development test wallet: one key, generated once and kept in DATA_DIR like the
 * development signing keys, that signs the sign-in page's text on the server when the person
 * presses "Sign with a development test wallet". Its signature then goes through the same form,
 * verifier and limits as any wallet's: nothing is bypassed, and the key never reaches the page.
 * Never on in production (src/config/ refuses TEST_WALLET there).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressOfWif, decodeWif, generateWif, signMessage, type EvrmoreNetwork } from '../evrmore/index.js';

export interface TestWallet {
  address: string;
  sign(text: string): string;
}

/** The file under DATA_DIR, one per network (a WIF names its network). */
export function testWalletFile(dataDir: string, network: EvrmoreNetwork): string {
  return join(dataDir, `test-wallet-${network.name}.wif`);
}

/** Reads the key, or creates it (0600, in a 0700 directory) on first use. */
export async function loadTestWallet(dataDir: string, network: EvrmoreNetwork): Promise<TestWallet> {
  const file = testWalletFile(dataDir, network);
  let wif: string | undefined;
  try {
    wif = (await readFile(file, 'utf8')).trim();
    decodeWif(wif, network);
  } catch {
    // Missing or damaged (it holds nothing of value): a new one.
    wif = generateWif(network);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, `${wif}\n`, { mode: 0o600 });
  }
  const key = wif;
  return { address: addressOfWif(key, network), sign: (text) => signMessage(text, key, network) };
}
