import { describe, expect, it } from 'vitest';
import { NETWORKS, addressOfWif, decodeWif, signMessage, verifyMessage } from '../../src/evrmore/index.js';
import { CURVE_ORDER, addressOfKeyIndependently, decodeSig, encodeWif, fromBytes, toBytes32 } from './helpers.js';
import { COMPRESSED, CORE_VECTORS, TESTNET, UNCOMPRESSED } from './vectors.js';

const { mainnet, testnet } = NETWORKS;

function expectInvalidKey(run: () => unknown, message?: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ name: 'EvrmoreError', code: 'invalid_key' });
  if (message !== undefined) expect((thrown as Error).message).toBe(message);
}

describe('signMessage reproduces Evrmore Core signmessage byte for byte', () => {
  it.each(CORE_VECTORS.map((v) => [v.name, v] as const))('%s', (_, v) => {
    expect(signMessage(v.message, v.wif as string, NETWORKS[v.network])).toBe(v.signature);
  });

  it('is deterministic (RFC 6979) and low-S', () => {
    for (let i = 0; i < 50; i++) {
      const message = `low-S probe ${i}`;
      const signature = signMessage(message, COMPRESSED.wif as string, mainnet);
      expect(signMessage(message, COMPRESSED.wif as string, mainnet)).toBe(signature);
      expect(fromBytes(decodeSig(signature).subarray(33))).toBeLessThanOrEqual(CURVE_ORDER / 2n);
    }
  });

  it('sets the compression flag from the WIF', () => {
    expect(decodeSig(signMessage('x', COMPRESSED.wif as string, mainnet))[0]).toBeGreaterThanOrEqual(31);
    expect(decodeSig(signMessage('x', UNCOMPRESSED.wif as string, mainnet))[0]).toBeLessThanOrEqual(30);
  });

  it('refuses a message that verifyMessage would refuse', () => {
    expect(() => signMessage('', COMPRESSED.wif as string, mainnet)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => signMessage('a\ud800', COMPRESSED.wif as string, mainnet)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('addressOfWif', () => {
  it.each(CORE_VECTORS.map((v) => [v.name, v] as const))('%s', (_, v) => {
    expect(addressOfWif(v.wif as string, NETWORKS[v.network])).toBe(v.address);
  });

  it('agrees with an independent derivation for edge keys', () => {
    for (const k of [1n, 2n, CURVE_ORDER - 1n, CURVE_ORDER / 2n]) {
      for (const compressed of [true, false]) {
        for (const network of [mainnet, testnet]) {
          const key = toBytes32(k);
          const wif = encodeWif(key, compressed, network);
          expect(addressOfWif(wif, network)).toBe(addressOfKeyIndependently(key, compressed, network));
          const signature = signMessage('edge', wif, network);
          expect(verifyMessage(addressOfWif(wif, network), 'edge', signature, network).ok).toBe(true);
        }
      }
    }
  });
});

describe('decodeWif', () => {
  it('decodes the key and its compression flag', () => {
    const key = toBytes32(0xdeadbeefn);
    expect(decodeWif(encodeWif(key, true, mainnet), mainnet)).toEqual({ privateKey: key, compressed: true });
    expect(decodeWif(encodeWif(key, false, testnet), testnet)).toEqual({ privateKey: key, compressed: false });
    expect(decodeWif(` ${UNCOMPRESSED.wif}\n`, mainnet).compressed).toBe(false);
  });

  it('names the network of a key from the other one', () => {
    expectInvalidKey(() => decodeWif(TESTNET.wif as string, mainnet), 'This is a testnet key; the service runs on mainnet');
    expectInvalidKey(() => decodeWif(COMPRESSED.wif as string, testnet), 'This is a mainnet key; the service runs on testnet');
  });

  it('refuses malformed keys without repeating them', () => {
    const key = toBytes32(7n);
    const wif = COMPRESSED.wif as string;
    const cases: unknown[] = [
      '',
      '   ',
      `${wif.slice(0, -1)}0`,
      wif.slice(0, -1) + (wif.endsWith('3') ? '4' : '3'),
      encodeWif(key, true, { ...mainnet, wif: 0x00 }),
      encodeWif(key.subarray(1), false, mainnet),
      encodeWif(Uint8Array.of(...key, 2), false, mainnet),
      encodeWif(new Uint8Array(32), true, mainnet),
      encodeWif(toBytes32(CURVE_ORDER), true, mainnet),
      42,
      null,
    ];
    for (const bad of cases) {
      let thrown: unknown;
      try {
        decodeWif(bad as string, mainnet);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(bad)).toMatchObject({ name: 'EvrmoreError', code: 'invalid_key' });
      if (typeof bad === 'string' && bad.trim() !== '') expect((thrown as Error).message).not.toContain(bad.trim());
    }
    expectInvalidKey(() => addressOfWif('', mainnet));
    expectInvalidKey(() => signMessage('hi', TESTNET.wif as string, mainnet));
  });
});
