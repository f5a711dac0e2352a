import { createHash } from 'node:crypto';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, createBase58check } from '@scure/base';
import { magicHash, type EvrmoreNetwork } from '../../src/evrmore/index.js';

/**
 * Independent helpers for the tests: node:crypto and @noble/curves rather than the code under
 * test, so that a bug there cannot cancel itself out.
 */
const b58check = createBase58check(sha256);
const { Point } = noble;
export const CURVE_ORDER = Point.Fn.ORDER;
export const FIELD_PRIME = Point.Fp.ORDER;

export function hash160Node(data: Uint8Array): Uint8Array {
  const sha = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('ripemd160').update(sha).digest());
}

export function encodeAddress(version: number, hash: Uint8Array): string {
  return b58check.encode(Uint8Array.of(version, ...hash));
}

export function addressOfKeyIndependently(privateKey: Uint8Array, compressed: boolean, network: EvrmoreNetwork): string {
  return encodeAddress(network.pubKeyHash, hash160Node(noble.getPublicKey(privateKey, compressed)));
}

export function encodeWif(privateKey: Uint8Array, compressed: boolean, network: EvrmoreNetwork): string {
  return b58check.encode(Uint8Array.of(network.wif, ...privateKey, ...(compressed ? [1] : [])));
}

export function decodeSig(signature: string): Uint8Array {
  return base64.decode(signature);
}

export function encodeSig(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

export function toBytes32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
}

export function fromBytes(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function withHeader(signature: string, header: number): string {
  const bytes = decodeSig(signature);
  bytes[0] = header;
  return encodeSig(bytes);
}

/** The other valid form of an ECDSA signature: (r, n - s), whose R is the negated point. */
export function highSCopy(signature: string): string {
  const bytes = decodeSig(signature);
  const header = bytes[0] as number;
  const s = fromBytes(bytes.subarray(33));
  bytes.set(toBytes32(CURVE_ORDER - s), 33);
  bytes[0] = flipRecidParity(header);
  return encodeSig(bytes);
}

/** Same compression flag, recid with its low bit (R.y's parity) flipped. */
export function flipRecidParity(header: number): number {
  const base = header >= 31 ? 31 : 27;
  return base + ((header - base) ^ 1);
}

/** Smallest x >= from that is (or is not) the x coordinate of a curve point. */
export function findX(from: bigint, onCurve: boolean): bigint {
  for (let x = from; ; x++) {
    let isPoint = true;
    try {
      Point.fromBytes(Uint8Array.of(2, ...toBytes32(x)));
    } catch {
      isPoint = false;
    }
    if (isPoint === onCurve) return x;
  }
}

/**
 * A valid signature for any recovery id, built backwards: pick R with the wanted x range and y
 * parity, any s, and solve for the public key Q = r⁻¹(sR − hG). Recovery ids 2 and 3 (R.x >= n)
 * occur with probability about 2⁻¹²⁸ when signing, so they can only be tested this way.
 */
export function craftSignature(
  recid: 0 | 1 | 2 | 3,
  compressed: boolean,
  message: string,
  network: EvrmoreNetwork,
): { address: string; signature: string; publicKey: Uint8Array } {
  const Fn = Point.Fn;
  const x = findX(recid >= 2 ? CURVE_ORDER + 1n : 1n, true);
  const R = Point.fromBytes(Uint8Array.of(recid & 1 ? 3 : 2, ...toBytes32(x)));
  const r = Fn.create(x);
  const s = Fn.create(0x1234567890abcdef1234567890abcdef1234567890abcdefn * BigInt(recid + 7));
  const h = Fn.create(fromBytes(magicHash(message)));
  const Q = R.multiply(s).subtract(Point.BASE.multiply(h)).multiply(Fn.inv(r));
  const publicKey = Q.toBytes(compressed);
  const bytes = Uint8Array.of(27 + recid + (compressed ? 4 : 0), ...toBytes32(r), ...toBytes32(s));
  return { address: encodeAddress(network.pubKeyHash, hash160Node(publicKey)), signature: encodeSig(bytes), publicKey };
}

/** sfc32: a small seeded PRNG so that a failing random case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0,
    b = 0x9e3779b9,
    c = 0x243f6a88,
    d = 0xb7e15162;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const out = (t + d) | 0;
    c = (c + out) | 0;
    return (out >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}
