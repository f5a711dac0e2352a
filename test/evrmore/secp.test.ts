/**
 * Public-key recovery has two builds of the same library, libsecp256k1: its native binding
 * (the `secp256k1` package, used where it loads) and its WASM build (tiny-secp256k1, used
 * elsewhere). Both must give the same answer for every input, valid or not, and the native one
 * must be what this platform (Linux x64, as the image) uses.
 */
import { describe, expect, it } from 'vitest';
import { NETWORKS, magicHash, signMessage } from '../../src/evrmore/index.js';
import { recoverPublicKey, recoverPublicKeyWith, recoveryBackend } from '../../src/evrmore/secp.js';
import { CURVE_ORDER, FIELD_PRIME, craftSignature, decodeSig, encodeWif, findX, prng, toBytes32 } from './helpers.js';

type Recid = 0 | 1 | 2 | 3;

function bothAgree(hash: Uint8Array, rs: Uint8Array, recid: Recid, compressed: boolean): Uint8Array | null {
  const native = recoverPublicKeyWith('native', hash, rs, recid, compressed);
  const wasm = recoverPublicKeyWith('wasm', hash, rs, recid, compressed);
  expect(native === null ? null : Buffer.from(native).toString('hex')).toBe(wasm === null ? null : Buffer.from(wasm).toString('hex'));
  return native;
}

const parts = (signature: string) => {
  const bytes = decodeSig(signature);
  const header = bytes[0]!;
  return { rs: bytes.subarray(1), recid: ((header - 27) & 3) as Recid, compressed: header >= 31 };
};

describe('public-key recovery', () => {
  it('uses the native libsecp256k1 binding on this platform', () => {
    expect(recoveryBackend()).toBe('native');
  });

  it('gives the same keys in both builds for signatures by random keys, every recovery id and both forms', () => {
    const random = prng(20261206);
    for (let i = 0; i < 300; i++) {
      const key = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
      key[0] = 1 + (key[0]! % 200);
      const compressed = i % 2 === 0;
      const message = `sign in ${i} ${random()}`;
      const signature = signMessage(message, encodeWif(key, compressed, NETWORKS.mainnet), NETWORKS.mainnet);
      const { rs, recid } = parts(signature);
      const hash = magicHash(message);
      const key1 = bothAgree(hash, rs, recid, compressed);
      expect(key1).not.toBeNull();
      expect(key1).toEqual(recoverPublicKey(hash, rs, recid, compressed));
      // Every other recovery id gives another key or none, in both alike.
      for (const other of [0, 1, 2, 3] as Recid[]) if (other !== recid) bothAgree(hash, rs, other, !compressed);
    }
    for (const recid of [0, 1, 2, 3] as Recid[]) {
      const crafted = craftSignature(recid, recid % 2 === 0, 'crafted', NETWORKS.mainnet);
      const { rs } = parts(crafted.signature);
      expect(bothAgree(magicHash('crafted'), rs, recid, recid % 2 === 0)).toEqual(crafted.publicKey);
    }
  });

  it('finds no key in either build where there is none', () => {
    const hash = magicHash('nothing');
    const s = toBytes32(12345n);
    const bad = [
      [0n, 12345n],
      [12345n, 0n],
      [CURVE_ORDER, 12345n],
      [12345n, CURVE_ORDER],
      [(1n << 256n) - 1n, 12345n],
      [findX(5n, false), 12345n],
      [FIELD_PRIME - 1n, 12345n],
    ] as const;
    for (const [r, sValue] of bad) {
      const rs = Uint8Array.of(...toBytes32(r), ...toBytes32(sValue));
      for (const recid of [0, 1, 2, 3] as Recid[]) {
        for (const compressed of [true, false]) bothAgree(hash, rs, recid, compressed);
      }
    }
    // r + n beyond the field (recovery ids 2 and 3 for a large r): no point, in both.
    const rs = Uint8Array.of(...toBytes32(CURVE_ORDER - 1n), ...s);
    expect(bothAgree(hash, rs, 2, true)).toBeNull();
    expect(bothAgree(hash, rs, 3, false)).toBeNull();
  });
});
