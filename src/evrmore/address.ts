import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase58Check, encodeBase58Check } from './base58check.js';
import { EvrmoreError, fail, type Failure } from './errors.js';
import { addressLetters, addressStart, otherNetwork, type EvrmoreNetwork } from './network.js';
import { secp256k1 } from './secp.js';

/** Base58check of 25 bytes is 34 characters at most; anything far past that is not an address. */
const MAX_ADDRESS_LENGTH = 64;

export type ParsedAddress = { ok: true; address: string; hash160: Uint8Array } | Failure;

export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/**
 * Validates a P2PKH address of `network`. Surrounding whitespace (a pasted newline) is the only
 * thing forgiven; the returned address is the trimmed text, which is then the account id.
 */
export function parseAddress(input: unknown, network: EvrmoreNetwork): ParsedAddress {
  if (typeof input !== 'string') return fail('invalid_input', 'address_not_text', 'The address must be text');
  const address = input.trim();
  if (address === '') return fail('invalid_input', 'address_empty', 'The address is empty');
  if (address.length > MAX_ADDRESS_LENGTH) {
    return fail('invalid_input', 'address_too_long', `The address is too long (${address.length} characters); an Evrmore address has 34`, {
      length: address.length,
    });
  }
  const decoded = decodeBase58Check(address);
  if (!decoded.ok) {
    return decoded.reason === 'alphabet'
      ? fail(
          'invalid_address',
          'address_alphabet',
          'The address contains characters that Evrmore addresses never use (such as 0, O, I, l or punctuation)',
        )
      : fail('invalid_address', 'address_checksum', 'The address checksum does not match: check it for a typo');
  }
  const { payload } = decoded;
  if (payload.length !== 21) {
    return fail('invalid_address', 'address_length', 'This is not an Evrmore address (wrong length)');
  }
  return classify(address, payload[0] as number, payload.subarray(1), network);
}

function classify(address: string, version: number, hash: Uint8Array, network: EvrmoreNetwork): ParsedAddress {
  const other = otherNetwork(network);
  if (version === network.pubKeyHash) return { ok: true, address, hash160: hash.slice() };
  // Evrmore Core's verifymessage refuses anything but a key hash: a script cannot sign.
  if (version === network.scriptHash || version === other.scriptHash) {
    return fail(
      'not_signing_address',
      'address_script',
      `Only P2PKH addresses (${addressStart(network)}) can sign messages; this is a P2SH address`,
      { letters: addressLetters(network) },
    );
  }
  if (version === other.pubKeyHash) {
    return fail(
      'wrong_network',
      'address_network',
      `This is a ${other.name} address; this service accepts ${network.name} addresses (${addressStart(network)})`,
      { found: other.name, expected: network.name, letters: addressLetters(network) },
    );
  }
  return fail('invalid_address', 'address_unknown', 'This is not an Evrmore address');
}

/** Throws EvrmoreError 'invalid_key' unless `pubkey` is a valid SEC1 point (33 or 65 bytes). */
export function addressFromPublicKey(pubkey: Uint8Array, network: EvrmoreNetwork): string {
  if (!isSec1Point(pubkey)) {
    throw new EvrmoreError('invalid_key', 'This is not a valid secp256k1 public key');
  }
  return addressFromHash160(hash160(pubkey), network);
}

/** Hybrid encodings (0x06/0x07) parse in libsecp256k1 but no wallet derives addresses from them. */
function isSec1Point(pubkey: unknown): pubkey is Uint8Array {
  if (!(pubkey instanceof Uint8Array)) return false;
  const [prefix] = pubkey;
  const wellFormed = (pubkey.length === 33 && (prefix === 0x02 || prefix === 0x03)) || (pubkey.length === 65 && prefix === 0x04);
  return wellFormed && secp256k1().isPoint(pubkey);
}

export function addressFromHash160(hash: Uint8Array, network: EvrmoreNetwork): string {
  const payload = new Uint8Array(21);
  payload[0] = network.pubKeyHash;
  payload.set(hash, 1);
  return encodeBase58Check(payload);
}
