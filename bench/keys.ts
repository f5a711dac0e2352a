/**
 * The bench's wallets: the two mainnet public test keys of DESIGN §3 and a few more derived
 * from a fixed seed, so every run signs with the same keys (compressed and uncompressed).
 * They are test keys whose private half is in this file: never fund them.
 */
import { createHash } from 'node:crypto';
import { encodeBase58Check } from '../src/evrmore/base58check.js';
import { NETWORKS, type EvrmoreNetwork } from '../src/evrmore/network.js';
import { addressOfWif, signMessage } from '../src/evrmore/signer.js';

export interface BenchSigner {
  address: string;
  compressed: boolean;
  /** The signmessage signature (base64) of `message`, as Evrmore Core makes it. */
  sign(message: string): string;
}

const DESIGN_KEYS = ['KwS1DUSPM5vGQ1b5XCd1BaQrKyDc2sfKr6eGFwdQrmX1MhkYor83', '5Hxn5C4SQuiV6e62A1MtZmbSeQyrLFhu5uYks62pU5VBUygK2KD'];

function derivedWif(index: number, compressed: boolean, network: EvrmoreNetwork): string {
  const key = createHash('sha256').update(`evrmore-accounts bench test key ${index}`).digest();
  const payload = new Uint8Array(compressed ? 34 : 33);
  payload[0] = network.wif;
  payload.set(key, 1);
  if (compressed) payload[33] = 0x01;
  return encodeBase58Check(payload);
}

export function signerOf(wif: string, network: EvrmoreNetwork = NETWORKS.mainnet): BenchSigner {
  const address = addressOfWif(wif, network);
  return {
    address,
    compressed: !wif.startsWith('5'),
    sign: (message) => signMessage(message, wif, network),
  };
}

/** `count` signers (the two of DESIGN §3 first), alternating compressed and uncompressed keys. */
export function benchSigners(count = 8, network: EvrmoreNetwork = NETWORKS.mainnet): BenchSigner[] {
  const signers = network === NETWORKS.mainnet ? DESIGN_KEYS.map((wif) => signerOf(wif, network)) : [];
  for (let i = 0; signers.length < count; i += 1) signers.push(signerOf(derivedWif(i, i % 2 === 0, network), network));
  return signers;
}
