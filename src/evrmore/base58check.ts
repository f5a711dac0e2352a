import { sha256 } from '@noble/hashes/sha2.js';
import { base58 } from '@scure/base';

const BASE58_CHARS = /^[1-9A-HJ-NP-Za-km-z]+$/;

export type Base58CheckDecoded = { ok: true; payload: Uint8Array } | { ok: false; reason: 'alphabet' | 'checksum' };

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload)).subarray(0, 4);
}

/** Tells a typo in the alphabet apart from a checksum failure, so each gets its own message. */
export function decodeBase58Check(text: string): Base58CheckDecoded {
  if (!BASE58_CHARS.test(text)) return { ok: false, reason: 'alphabet' };
  const bytes = base58.decode(text);
  if (bytes.length < 5) return { ok: false, reason: 'checksum' };
  const payload = bytes.subarray(0, -4);
  const expected = checksum(payload);
  const actual = bytes.subarray(-4);
  for (let i = 0; i < 4; i++) {
    if (expected[i] !== actual[i]) return { ok: false, reason: 'checksum' };
  }
  return { ok: true, payload };
}

export function encodeBase58Check(payload: Uint8Array): string {
  const bytes = new Uint8Array(payload.length + 4);
  bytes.set(payload);
  bytes.set(checksum(payload), payload.length);
  return base58.encode(bytes);
}
