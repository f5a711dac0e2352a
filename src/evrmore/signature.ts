import { base64 } from '@scure/base';
import { fail, type Failure } from './errors.js';

/**
 * The compact recoverable signature of Evrmore Core's signmessage: one header byte
 * 27 + recid (+4 when the key is compressed), then r and s as 32-byte big-endian numbers.
 */
export const SIGNATURE_BYTES = 65;
const HEADER_MIN = 27;
const HEADER_MAX = 34;

/** Order of the secp256k1 group: r and s must lie in [1, n-1] (SEC 1 §4.1.4). */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface CompactSignature {
  recid: 0 | 1 | 2 | 3;
  compressed: boolean;
  /** r || s */
  rs: Uint8Array;
}

export type ParsedSignature = ({ ok: true } & CompactSignature) | Failure;

export function parseSignature(input: unknown): ParsedSignature {
  if (typeof input !== 'string') return fail('invalid_input', 'signature_not_text', 'The signature must be text');
  const text = input.trim();
  if (text === '') return fail('malformed_signature', 'signature_empty', 'The signature is empty');
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(text);
  } catch {
    return fail('malformed_signature', 'signature_base64', 'The signature is not valid base64');
  }
  if (bytes.length !== SIGNATURE_BYTES) {
    return fail(
      'malformed_signature',
      'signature_length',
      `A signature is 65 bytes (88 base64 characters); this one is ${bytes.length} bytes`,
      { bytes: bytes.length },
    );
  }
  const header = bytes[0] as number;
  if (header < HEADER_MIN || header > HEADER_MAX) {
    return fail('malformed_signature', 'signature_header', `Signature header byte ${header} is outside 27–34`, { header });
  }
  const rs = bytes.slice(1);
  if (!inScalarRange(rs.subarray(0, 32)) || !inScalarRange(rs.subarray(32))) {
    return fail('malformed_signature', 'signature_range', 'The signature is not a valid secp256k1 signature (r or s out of range)');
  }
  return {
    ok: true,
    recid: ((header - HEADER_MIN) & 3) as CompactSignature['recid'],
    compressed: header >= HEADER_MIN + 4,
    rs,
  };
}

export function encodeSignature(sig: CompactSignature): string {
  const bytes = new Uint8Array(SIGNATURE_BYTES);
  bytes[0] = HEADER_MIN + sig.recid + (sig.compressed ? 4 : 0);
  bytes.set(sig.rs, 1);
  return base64.encode(bytes);
}

function inScalarRange(bytes32: Uint8Array): boolean {
  let value = 0n;
  for (const byte of bytes32) value = (value << 8n) | BigInt(byte);
  return value > 0n && value < CURVE_ORDER;
}
