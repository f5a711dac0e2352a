import { base58 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { NETWORKS, addressFromPublicKey, hash160, parseAddress, type EvrmoreErrorCode, EvrmoreError } from '../../src/evrmore/index.js';
import { encodeAddress, findX, hash160Node, toBytes32 } from './helpers.js';
import { COMPRESSED, REAL_WALLET, TESTNET, UNCOMPRESSED } from './vectors.js';

const { mainnet, testnet } = NETWORKS;
const HASH = Uint8Array.from({ length: 20 }, (_, i) => i * 11 + 3);

function expectError(result: ReturnType<typeof parseAddress>, code: EvrmoreErrorCode, message?: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(EvrmoreError);
  expect(result.error.code).toBe(code);
  if (message !== undefined) expect(result.error.message).toBe(message);
}

describe('hash160', () => {
  it('is RIPEMD-160 of SHA-256', () => {
    expect(Buffer.from(hash160(new Uint8Array())).toString('hex')).toBe('b472a266d0bd89c13706a4132ccfb16f7c3b9fcb');
    expect(hash160(Uint8Array.of(1, 2, 3))).toEqual(hash160Node(Uint8Array.of(1, 2, 3)));
  });
});

describe('parseAddress', () => {
  it('accepts P2PKH addresses of its network and returns their hash160', () => {
    for (const [address, network] of [
      [REAL_WALLET.address, mainnet],
      [COMPRESSED.address, mainnet],
      [TESTNET.address, testnet],
    ] as const) {
      const result = parseAddress(address, network);
      expect(result).toEqual({ ok: true, address, hash160: expect.any(Uint8Array) });
    }
    const built = encodeAddress(0x21, HASH);
    expect(built.startsWith('E')).toBe(true);
    expect(parseAddress(built, mainnet)).toEqual({ ok: true, address: built, hash160: HASH });
  });

  it('trims surrounding whitespace only', () => {
    expect(parseAddress(` \t${UNCOMPRESSED.address}\r\n`, mainnet)).toMatchObject({ ok: true, address: UNCOMPRESSED.address });
    const inner = `${UNCOMPRESSED.address.slice(0, 10)} ${UNCOMPRESSED.address.slice(10)}`;
    expectError(parseAddress(inner, mainnet), 'invalid_address');
  });

  it('refuses non-text, empty and overlong input as invalid_input', () => {
    for (const input of [undefined, null, 42, {}, [REAL_WALLET.address], new String(REAL_WALLET.address)]) {
      expectError(parseAddress(input, mainnet), 'invalid_input', 'The address must be text');
    }
    expectError(parseAddress('', mainnet), 'invalid_input', 'The address is empty');
    expectError(parseAddress('  \n', mainnet), 'invalid_input', 'The address is empty');
    expectError(parseAddress('E'.repeat(65), mainnet), 'invalid_input');
  });

  it('refuses non-base58 characters, bad checksums and wrong lengths as invalid_address', () => {
    expectError(parseAddress(`${REAL_WALLET.address.slice(0, -1)}0`, mainnet), 'invalid_address');
    expectError(parseAddress(REAL_WALLET.address.replace('a', 'l'), mainnet), 'invalid_address');
    expectError(parseAddress(REAL_WALLET.address.replace('E', 'E!'), mainnet), 'invalid_address');
    const last = REAL_WALLET.address.at(-1) === 'c' ? 'd' : 'c';
    expectError(
      parseAddress(REAL_WALLET.address.slice(0, -1) + last, mainnet),
      'invalid_address',
      'The address checksum does not match: check it for a typo',
    );
    const raw = base58.decode(REAL_WALLET.address);
    for (let i = 21; i < 25; i++) {
      const corrupted = Uint8Array.from(raw);
      corrupted[i] = (corrupted[i] as number) ^ 0x80;
      expectError(parseAddress(base58.encode(corrupted), mainnet), 'invalid_address');
    }
    expectError(parseAddress('1', mainnet), 'invalid_address');
    expectError(parseAddress(encodeAddress(0x21, HASH.subarray(0, 19)), mainnet), 'invalid_address');
    expectError(parseAddress(encodeAddress(0x21, Uint8Array.of(...HASH, 0)), mainnet), 'invalid_address');
  });

  it('refuses addresses of other coins as invalid_address', () => {
    expectError(parseAddress('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', mainnet), 'invalid_address', 'This is not an Evrmore address');
    expectError(parseAddress(encodeAddress(0x3c, HASH), mainnet), 'invalid_address');
  });

  it('refuses P2SH addresses of either network as not_signing_address', () => {
    const mainP2sh = encodeAddress(0x5c, HASH);
    const testP2sh = encodeAddress(0xc4, HASH);
    expect(mainP2sh.startsWith('e')).toBe(true);
    const onMainnet = 'Only P2PKH addresses (starting with E) can sign messages; this is a P2SH address';
    expectError(parseAddress(mainP2sh, mainnet), 'not_signing_address', onMainnet);
    expectError(parseAddress(testP2sh, mainnet), 'not_signing_address', onMainnet);
    const onTestnet = 'Only P2PKH addresses (starting with m or n) can sign messages; this is a P2SH address';
    expectError(parseAddress(testP2sh, testnet), 'not_signing_address', onTestnet);
    expectError(parseAddress(mainP2sh, testnet), 'not_signing_address', onTestnet);
  });

  it("refuses the other network's P2PKH addresses as wrong_network", () => {
    expectError(
      parseAddress(TESTNET.address, mainnet),
      'wrong_network',
      'This is a testnet address; this service accepts mainnet addresses (starting with E)',
    );
    expectError(
      parseAddress(REAL_WALLET.address, testnet),
      'wrong_network',
      'This is a mainnet address; this service accepts testnet addresses (starting with m or n)',
    );
  });
});

describe('addressFromPublicKey', () => {
  const compressedKey = Buffer.from('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'hex');

  it('hashes the key in the form given', () => {
    const uncompressedKey = Buffer.from(
      '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
        '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
      'hex',
    );
    expect(addressFromPublicKey(compressedKey, mainnet)).toBe(encodeAddress(0x21, hash160Node(compressedKey)));
    expect(addressFromPublicKey(uncompressedKey, testnet)).toBe(encodeAddress(0x6f, hash160Node(uncompressedKey)));
  });

  it('throws invalid_key for anything but a valid 33- or 65-byte point', () => {
    const hybrid = Buffer.from(
      '0679be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
        '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
      'hex',
    );
    const notOnCurve = Uint8Array.of(2, ...toBytes32(findX(1n, false)));
    for (const bad of [new Uint8Array(33), compressedKey.subarray(1), hybrid, notOnCurve]) {
      expect(() => addressFromPublicKey(bad, mainnet)).toThrow(expect.objectContaining({ code: 'invalid_key' }));
    }
  });
});
