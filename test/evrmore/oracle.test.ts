import bitcoinMessage from 'bitcoinjs-message';
import { describe, expect, it } from 'vitest';
import { NETWORKS, addressOfWif, magicHash, signMessage, verifyMessage, type EvrmoreNetwork } from '../../src/evrmore/index.js';
import { CURVE_ORDER, addressOfKeyIndependently, craftSignature, encodeWif, fromBytes, prng } from './helpers.js';
import { MUST_FAIL, VALID_VECTORS } from './vectors.js';

/**
 * bitcoinjs-message as an independent verifier. It takes the prefix as the raw bytes
 * to hash, so the 0x18 length byte must be part of it; it ignores the address version byte.
 * Under Node 24 its secp256k1@3 falls back to pure-JS elliptic (the native build is for another
 * Node ABI): about 2.1 ms a verification, most of this file's run time; the costlier cross-checks
 * (its signer, an independent address derivation, tampered messages) run on a subset.
 */
const ORACLE_PREFIX = '\x18Evrmore Signed Message:\n';
const RANDOM_PAIRS = 10_000;
const ORACLE_SIGNS_EVERY = 5;
const TAMPER_EVERY = 10;

const SEED = Number(process.env.EVRMORE_ORACLE_SEED ?? Math.floor(Math.random() * 2 ** 32));

/** Code points from every UTF-8 width, plus controls; never a lone surrogate. */
function randomMessage(random: () => number): string {
  const roll = random();
  const length =
    roll < 0.7 ? 1 + Math.floor(random() * 80) : roll < 0.95 ? 60 + Math.floor(random() * 260) : 1 + Math.floor(random() * 3000);
  const ranges: Array<[number, number]> = [
    [0x20, 0x7e],
    [0x00, 0x1f],
    [0x80, 0x7ff],
    [0x800, 0xd7ff],
    [0xe000, 0xffff],
    [0x10000, 0x10ffff],
  ];
  const weights = [0.55, 0.05, 0.15, 0.1, 0.05, 0.1];
  let text = '';
  for (let i = 0; i < length; i++) {
    let pick = random();
    let index = 0;
    while (pick > (weights[index] as number) && index < weights.length - 1) pick -= weights[index++] as number;
    const [lo, hi] = ranges[index] as [number, number];
    text += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
  }
  return text;
}

function randomKey(random: () => number): Uint8Array {
  for (;;) {
    const key = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
    const k = fromBytes(key);
    if (k > 0n && k < CURVE_ORDER) return key;
  }
}

describe('bitcoinjs-message oracle', () => {
  it('computes the same magic hash', () => {
    for (const message of ['', 'Hello Evrmore', 'x'.repeat(253), '\u{1F30D}'.repeat(16384)]) {
      expect(new Uint8Array(bitcoinMessage.magicHash(message, ORACLE_PREFIX))).toEqual(magicHash(message));
    }
  });

  it('agrees on every known-answer vector', () => {
    for (const v of VALID_VECTORS) {
      expect(bitcoinMessage.verify(v.message, v.address, v.signature, ORACLE_PREFIX), v.name).toBe(true);
      expect(verifyMessage(v.address, v.message, v.signature, NETWORKS[v.network]).ok, v.name).toBe(true);
    }
    expect(bitcoinMessage.verify(MUST_FAIL.message, MUST_FAIL.address, MUST_FAIL.signature, ORACLE_PREFIX)).toBe(false);
    expect(verifyMessage(MUST_FAIL.address, MUST_FAIL.message, MUST_FAIL.signature, NETWORKS.mainnet).ok).toBe(false);
  });

  it('agrees on crafted signatures for all four recovery ids', () => {
    for (const recid of [0, 1, 2, 3] as const) {
      for (const compressed of [true, false]) {
        const message = `oracle recid ${recid}`;
        const { address, signature } = craftSignature(recid, compressed, message, NETWORKS.mainnet);
        expect(bitcoinMessage.verify(message, address, signature, ORACLE_PREFIX)).toBe(true);
        expect(verifyMessage(address, message, signature, NETWORKS.mainnet).ok).toBe(true);
      }
    }
  });

  it(`agrees on ${RANDOM_PAIRS} random keys and UTF-8 messages (seed ${SEED})`, { timeout: 300_000 }, () => {
    const random = prng(SEED);
    const counts = { oracleSigned: 0, tampered: 0, longMessages: 0 };
    for (let i = 0; i < RANDOM_PAIRS; i++) {
      const network: EvrmoreNetwork = random() < 0.8 ? NETWORKS.mainnet : NETWORKS.testnet;
      const compressed = random() < 0.7;
      const key = randomKey(random);
      const message = randomMessage(random);
      const wif = encodeWif(key, compressed, network);
      const address = addressOfWif(wif, network);
      const where = `seed ${SEED}, case ${i}`;
      if (Buffer.byteLength(message) >= 0xfd) counts.longMessages++;

      const signature = signMessage(message, wif, network);
      expect(verifyMessage(address, message, signature, network), where).toEqual({ ok: true, address });
      expect(bitcoinMessage.verify(message, address, signature, ORACLE_PREFIX), where).toBe(true);

      if (i % ORACLE_SIGNS_EVERY === 0) {
        expect(address, where).toBe(addressOfKeyIndependently(key, compressed, network));
        const theirs = bitcoinMessage.sign(message, Buffer.from(key), compressed, ORACLE_PREFIX).toString('base64');
        expect(theirs, where).toBe(signature);
        expect(verifyMessage(address, message, theirs, network).ok, where).toBe(true);
        counts.oracleSigned++;
      }
      if (i % TAMPER_EVERY === 0) {
        const tampered = `${message}.`;
        expect(verifyMessage(address, tampered, signature, network).ok, where).toBe(false);
        expect(bitcoinMessage.verify(tampered, address, signature, ORACLE_PREFIX), where).toBe(false);
        counts.tampered++;
      }
    }
    expect(counts.oracleSigned).toBe(RANDOM_PAIRS / ORACLE_SIGNS_EVERY);
    expect(counts.tampered).toBe(RANDOM_PAIRS / TAMPER_EVERY);
    expect(counts.longMessages).toBeGreaterThan(RANDOM_PAIRS / 20);
  });
});
