import { sha256 } from '@noble/hashes/sha2.js';
import { hash160, parseAddress } from './address.js';
import { fail, type Failure } from './errors.js';
import { MESSAGE_PREFIX, type EvrmoreNetwork } from './network.js';
import { recoverPublicKey } from './secp.js';
import { parseSignature } from './signature.js';

export type VerifyResult = { ok: true; address: string } | Failure;

const utf8 = new TextEncoder();
const PREFIX_BYTES = utf8.encode(MESSAGE_PREFIX);

/** Bitcoin's CompactSize (serialize.h WriteCompactSize), which Evrmore Core inherits. */
export function compactSize(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`compactSize: ${n} is not a length`);
  if (n < 0xfd) return Uint8Array.of(n);
  const size = n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (size === 3) {
    out[0] = 0xfd;
    view.setUint16(1, n, true);
  } else if (size === 5) {
    out[0] = 0xfe;
    view.setUint32(1, n, true);
  } else {
    out[0] = 0xff;
    view.setBigUint64(1, BigInt(n), true);
  }
  return out;
}

/**
 * The digest Evrmore Core signs for signmessage: double SHA-256 of the serialized prefix and
 * message, each length-prefixed with CompactSize. The prefix is 24 bytes, so its
 * length byte is 0x18. A lone UTF-16 surrogate would be encoded as U+FFFD here; verifyMessage
 * refuses such text so that two different strings never share a digest.
 */
export function magicHash(message: string): Uint8Array {
  const body = utf8.encode(message);
  const parts = [compactSize(PREFIX_BYTES.length), PREFIX_BYTES, compactSize(body.length), body];
  const buffer = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  return sha256(sha256(buffer));
}

/**
 * Checks a signmessage signature as Evrmore Core's verifymessage does: recover the public key
 * from the signature and compare its Hash160 with the address. Never throws.
 *
 * ECDSA signatures are malleable: from a valid (r, s) anyone can make (r, n - s) with the other
 * recovery id, and Core accepts both, so this does too. A signature string therefore must not
 * be used as a replay token; replay protection is the challenge nonce's job.
 */
export function verifyMessage(address: unknown, message: unknown, signature: unknown, network: EvrmoreNetwork): VerifyResult {
  const parsedAddress = parseAddress(address, network);
  if (!parsedAddress.ok) return parsedAddress;
  const text = checkMessage(message);
  if (!text.ok) return text;
  const sig = parseSignature(signature);
  if (!sig.ok) return sig;

  const recovered = recoverPublicKey(magicHash(text.message), sig.rs, sig.recid, sig.compressed);
  if (!recovered || !equalConstantTime(hash160(recovered), parsedAddress.hash160)) {
    return fail('signature_mismatch', 'signature_mismatch', 'The signature does not match this address and message');
  }
  return { ok: true, address: parsedAddress.address };
}

/** An empty message proves nothing about a challenge, so it is refused like a missing one. */
export function checkMessage(message: unknown): { ok: true; message: string } | Failure {
  if (typeof message !== 'string') return fail('invalid_input', 'message_invalid', 'The message must be text');
  if (message === '') return fail('invalid_input', 'message_invalid', 'The message is empty');
  if (/\p{Cs}/u.test(message)) {
    return fail('invalid_input', 'message_invalid', 'The message contains an unpaired UTF-16 surrogate, which has no UTF-8 form');
  }
  return { ok: true, message };
}

/** The address is public, so this is defence in depth rather than a secret-dependent branch. */
function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
