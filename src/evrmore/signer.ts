import { randomBytes } from 'node:crypto';
import { addressFromPublicKey } from './address.js';
import { decodeBase58Check, encodeBase58Check } from './base58check.js';
import { EvrmoreError } from './errors.js';
import { checkMessage, magicHash } from './message.js';
import { otherNetwork, type EvrmoreNetwork } from './network.js';
import { secp256k1 } from './secp.js';
import { encodeSignature, type CompactSignature } from './signature.js';

/**
 * A signer for tests, the CLI's test wallet and operators: the service itself only verifies.
 * Error messages never repeat the key.
 */
export interface DecodedWif {
  privateKey: Uint8Array;
  compressed: boolean;
}

/** WIF is base58check(version || 32-byte key [|| 0x01 when the public key is compressed]). */
export function decodeWif(wif: string, network: EvrmoreNetwork): DecodedWif {
  if (typeof wif !== 'string' || wif.trim() === '') throw invalidKey('The private key (WIF) is empty');
  const decoded = decodeBase58Check(wif.trim());
  if (!decoded.ok) {
    throw invalidKey(
      decoded.reason === 'alphabet'
        ? 'The private key (WIF) contains characters that base58 never uses'
        : 'The private key (WIF) checksum does not match: check it for a typo',
    );
  }
  const { payload } = decoded;
  const version = payload[0];
  if (version !== network.wif) {
    throw invalidKey(
      version === otherNetwork(network).wif
        ? `This is a ${otherNetwork(network).name} key; the service runs on ${network.name}`
        : 'This is not an Evrmore private key (WIF)',
    );
  }
  const compressed = payload.length === 34 && payload[33] === 0x01;
  if (!compressed && payload.length !== 33) {
    throw invalidKey('The private key (WIF) has the wrong length');
  }
  const privateKey = payload.slice(1, 33);
  if (!secp256k1().isPrivate(privateKey)) {
    throw invalidKey('The private key (WIF) is outside the secp256k1 range');
  }
  return { privateKey, compressed };
}

/** The WIF of a 32-byte private key: compressed (the kind every wallet makes today) unless told. */
export function encodeWif(privateKey: Uint8Array, network: EvrmoreNetwork, compressed = true): string {
  if (!secp256k1().isPrivate(privateKey)) throw invalidKey('The private key is outside the secp256k1 range');
  const payload = new Uint8Array(compressed ? 34 : 33);
  payload[0] = network.wif;
  payload.set(privateKey, 1);
  if (compressed) payload[33] = 0x01;
  return encodeBase58Check(payload);
}

/** A fresh compressed key from the OS's CSPRNG, as WIF. */
export function generateWif(network: EvrmoreNetwork): string {
  for (;;) {
    const candidate = randomBytes(32);
    // Outside [1, n-1] with probability ~2^-128: draw again.
    if (secp256k1().isPrivate(candidate)) return encodeWif(candidate, network);
  }
}

export function addressOfWif(wif: string, network: EvrmoreNetwork): string {
  const { privateKey, compressed } = decodeWif(wif, network);
  return addressFromPublicKey(publicKeyOf(privateKey, compressed), network);
}

/**
 * Byte-for-byte what Evrmore Core's signmessage returns (CKey::SignCompact): libsecp256k1's
 * RFC 6979 nonce with no extra entropy, low-S, header 27 + recid (+4 for a compressed key).
 */
export function signMessage(message: string, wif: string, network: EvrmoreNetwork): string {
  const checked = checkMessage(message);
  if (!checked.ok) throw checked.error;
  const { privateKey, compressed } = decodeWif(wif, network);
  const { signature, recoveryId } = secp256k1().signRecoverable(magicHash(message), privateKey);
  return encodeSignature({ recid: recoveryId as CompactSignature['recid'], compressed, rs: signature });
}

function publicKeyOf(privateKey: Uint8Array, compressed: boolean): Uint8Array {
  const pubkey = secp256k1().pointFromScalar(privateKey, compressed);
  if (!pubkey) throw invalidKey('The private key (WIF) is outside the secp256k1 range');
  return pubkey;
}

function invalidKey(message: string): EvrmoreError {
  return new EvrmoreError('invalid_key', message);
}
