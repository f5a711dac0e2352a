import { createHash } from 'node:crypto';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { compactSize } from '../../src/evrmore/message.js';
import {
  EvrmoreError,
  NETWORKS,
  magicHash,
  signMessage,
  verifyMessage,
  type EvrmoreErrorCode,
  type VerifyResult,
} from '../../src/evrmore/index.js';
import {
  CURVE_ORDER,
  FIELD_PRIME,
  craftSignature,
  decodeSig,
  encodeSig,
  encodeAddress,
  findX,
  flipRecidParity,
  fromBytes,
  hash160Node,
  highSCopy,
  toBytes32,
  withHeader,
} from './helpers.js';
import { COMPRESSED, MUST_FAIL, NON_ASCII, REAL_WALLET, TESTNET, UNCOMPRESSED, VALID_VECTORS } from './vectors.js';

const { mainnet, testnet } = NETWORKS;
const VALID = COMPRESSED;

function expectError(result: VerifyResult, code: EvrmoreErrorCode, message?: string): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(EvrmoreError);
  expect(result.error.code).toBe(code);
  if (message !== undefined) expect(result.error.message).toBe(message);
}

/** The valid compressed vector with some of its parts replaced (by anything, undefined included). */
function verifyValid(overrides: { address?: unknown; message?: unknown; signature?: unknown }): VerifyResult {
  const pick = (key: 'address' | 'message' | 'signature'): unknown => (key in overrides ? overrides[key] : VALID[key]);
  return verifyMessage(pick('address'), pick('message'), pick('signature'), mainnet);
}

function doubleSha256(...parts: Uint8Array[]): Uint8Array {
  const once = createHash('sha256').update(Buffer.concat(parts)).digest();
  return new Uint8Array(createHash('sha256').update(once).digest());
}

const PREFIX = Buffer.from('\x18Evrmore Signed Message:\n', 'latin1');

describe('known-answer vectors (test/evrmore/vectors.ts)', () => {
  it.each(VALID_VECTORS.map((v) => [v.name, v] as const))('%s verifies', (_, v) => {
    expect(verifyMessage(v.address, v.message, v.signature, NETWORKS[v.network])).toEqual({ ok: true, address: v.address });
  });

  it('the non-ASCII message is 24 UTF-8 bytes', () => {
    expect(Buffer.byteLength(NON_ASCII.message, 'utf8')).toBe(24);
  });

  it('the must-fail vector fails with signature_mismatch', () => {
    expectError(
      verifyMessage(MUST_FAIL.address, MUST_FAIL.message, MUST_FAIL.signature, mainnet),
      'signature_mismatch',
      'The signature does not match this address and message',
    );
  });

  it('a signature does not verify for another message or another address', () => {
    expectError(verifyValid({ message: `${VALID.message} ` }), 'signature_mismatch');
    expectError(verifyValid({ message: 'hello Evrmore' }), 'signature_mismatch');
    expectError(verifyValid({ address: REAL_WALLET.address }), 'signature_mismatch');
    expectError(verifyValid({ signature: NON_ASCII.signature }), 'signature_mismatch');
  });
});

describe('compactSize (Bitcoin serialize.h, inherited by Evrmore Core)', () => {
  it.each([
    [0, '00'],
    [24, '18'],
    [252, 'fc'],
    [253, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [0x100000000, 'ff0000000001000000'],
  ])('%i → %s', (n, hex) => {
    expect(Buffer.from(compactSize(n)).toString('hex')).toBe(hex);
  });

  it('refuses non-lengths', () => {
    for (const n of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => compactSize(n)).toThrow(RangeError);
  });
});

describe('magicHash', () => {
  it('uses the 0x18 length byte and one-byte CompactSize below 253 bytes', () => {
    const body = Buffer.from(NON_ASCII.message, 'utf8');
    expect(magicHash(NON_ASCII.message)).toEqual(doubleSha256(PREFIX, Uint8Array.of(24), body));
    const message = 'x'.repeat(252);
    expect(magicHash(message)).toEqual(doubleSha256(PREFIX, Uint8Array.of(0xfc), Buffer.from(message)));
  });

  it('uses 0xfd + uint16 LE for a 253-byte message', () => {
    const message = `${'a'.repeat(250)}\u00e9z`;
    expect(Buffer.byteLength(message)).toBe(253);
    expect(magicHash(message)).toEqual(doubleSha256(PREFIX, Uint8Array.of(0xfd, 0xfd, 0x00), Buffer.from(message)));
  });

  it('uses 0xfe + uint32 LE for a 65536-byte message', () => {
    const message = '\u{1F30D}'.repeat(16384);
    expect(Buffer.byteLength(message)).toBe(65536);
    expect(magicHash(message)).toEqual(doubleSha256(PREFIX, Uint8Array.of(0xfe, 0x00, 0x00, 0x01, 0x00), Buffer.from(message)));
  });

  it('differs from a hash with the wrong prefix length byte', () => {
    const wrong = Buffer.from('\x17Evrmore Signed Message:\n', 'latin1');
    expect(magicHash('Hello Evrmore')).not.toEqual(doubleSha256(wrong, Uint8Array.of(13), Buffer.from('Hello Evrmore')));
  });
});

describe('long messages (CompactSize forms) sign and verify', () => {
  it.each([
    ['253 bytes', 'b'.repeat(253)],
    ['300 bytes of multi-byte text', '\u00fc'.repeat(150)],
    ['65535 bytes', 'c'.repeat(65535)],
    ['65536 bytes', `${'\u2014'.repeat(21845)}d`],
    ['100000 bytes', 'e'.repeat(100000)],
  ])('%s', (_, message) => {
    const signature = signMessage(message, COMPRESSED.wif as string, mainnet);
    expect(verifyMessage(COMPRESSED.address, message, signature, mainnet)).toEqual({ ok: true, address: COMPRESSED.address });
    expectError(verifyMessage(COMPRESSED.address, message.slice(0, -1), signature, mainnet), 'signature_mismatch');
  });
});

describe('recovery ids', () => {
  it('recids 0 and 1 both occur when signing, and verify', () => {
    const seen = new Set<number>();
    for (let i = 0; seen.size < 2 && i < 200; i++) {
      const message = `recid probe ${i}`;
      const signature = signMessage(message, COMPRESSED.wif as string, mainnet);
      seen.add(((decodeSig(signature)[0] as number) - 27) & 3);
      expect(verifyMessage(COMPRESSED.address, message, signature, mainnet).ok).toBe(true);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it.each([0, 1, 2, 3] as const)('crafted recid %i verifies, compressed and uncompressed', (recid) => {
    for (const compressed of [true, false]) {
      const message = `crafted ${recid} ${compressed}`;
      const { address, signature, publicKey } = craftSignature(recid, compressed, message, mainnet);
      expect(decodeSig(signature)[0]).toBe(27 + recid + (compressed ? 4 : 0));
      const nobleKey = noble.recoverPublicKey(Uint8Array.of(recid, ...decodeSig(signature).subarray(1)), magicHash(message), {
        prehash: false,
      });
      expect(noble.Point.fromBytes(nobleKey).toBytes(compressed)).toEqual(publicKey);
      expect(verifyMessage(address, message, signature, mainnet)).toEqual({ ok: true, address });
      const wrongRecid = withHeader(signature, 27 + (recid ^ 2) + (compressed ? 4 : 0));
      expect(verifyMessage(address, message, wrongRecid, mainnet).ok).toBe(false);
    }
  });

  it('a header claiming the other compression fails', () => {
    expectError(
      verifyValid({ signature: withHeader(VALID.signature, (decodeSig(VALID.signature)[0] as number) - 4) }),
      'signature_mismatch',
    );
    const unc = decodeSig(UNCOMPRESSED.signature)[0] as number;
    expectError(
      verifyMessage(UNCOMPRESSED.address, UNCOMPRESSED.message, withHeader(UNCOMPRESSED.signature, unc + 4), mainnet),
      'signature_mismatch',
    );
  });

  it('a recid for R.x >= n where r + n is not below p is a mismatch, not a throw', () => {
    const r = FIELD_PRIME - CURVE_ORDER;
    const bytes = Uint8Array.of(27 + 4 + 2, ...toBytes32(r), ...decodeSig(VALID.signature).subarray(33));
    expectError(verifyValid({ signature: encodeSig(bytes) }), 'signature_mismatch');
  });

  it('an r that is no x coordinate on the curve is a mismatch', () => {
    const bytes = Uint8Array.of(31, ...toBytes32(findX(1n, false)), ...decodeSig(VALID.signature).subarray(33));
    expectError(verifyValid({ signature: encodeSig(bytes) }), 'signature_mismatch');
  });
});

describe('malleability (documented: replay protection is the nonce)', () => {
  it.each([COMPRESSED, UNCOMPRESSED, TESTNET, REAL_WALLET].map((v) => [v.name, v] as const))(
    'the high-S copy of the %s signature also verifies',
    (_, v) => {
      const copy = highSCopy(v.signature);
      expect(copy).not.toBe(v.signature);
      expect(fromBytes(decodeSig(copy).subarray(33))).toBeGreaterThan(CURVE_ORDER / 2n);
      expect(verifyMessage(v.address, v.message, copy, NETWORKS[v.network])).toEqual({ ok: true, address: v.address });
    },
  );

  it('negating s without flipping the recid does not verify', () => {
    const copy = highSCopy(VALID.signature);
    expectError(verifyValid({ signature: withHeader(copy, flipRecidParity(decodeSig(copy)[0] as number)) }), 'signature_mismatch');
  });
});

describe('malformed input never throws and gets its typed error', () => {
  const sigBytes = decodeSig(VALID.signature);

  it('surrounding whitespace around address and signature is forgiven', () => {
    expect(verifyValid({ address: ` ${VALID.address}\n`, signature: `${VALID.signature}\r\n` })).toEqual({
      ok: true,
      address: VALID.address,
    });
  });

  it('the message is signed bytes: it is never trimmed', () => {
    expectError(verifyValid({ message: ` ${VALID.message}` }), 'signature_mismatch');
  });

  it('bad base64', () => {
    const message = 'The signature is not valid base64';
    expectError(verifyValid({ signature: `${VALID.signature.slice(0, 10)}*${VALID.signature.slice(11)}` }), 'malformed_signature', message);
    expectError(verifyValid({ signature: VALID.signature.slice(0, -1) }), 'malformed_signature', message);
    expectError(verifyValid({ signature: VALID.signature.replaceAll('/', '_').replaceAll('+', '-') }), 'malformed_signature', message);
    expectError(verifyValid({ signature: `${VALID.signature.slice(0, 40)} ${VALID.signature.slice(40)}` }), 'malformed_signature', message);
    expectError(verifyValid({ signature: `${VALID.signature.slice(0, -2)}V=` }), 'malformed_signature', message);
  });

  it.each([64, 66, 1, 130])('a signature of %i bytes', (length) => {
    const bytes = new Uint8Array(length);
    bytes.set(sigBytes.subarray(0, Math.min(length, 65)));
    const signature = encodeSig(bytes);
    if (length === 64 || length === 66) expect(signature).toHaveLength(88);
    expectError(
      verifyValid({ signature }),
      'malformed_signature',
      `A signature is 65 bytes (88 base64 characters); this one is ${length} bytes`,
    );
  });

  it.each([0, 26, 35, 42, 255])('header byte %i', (header) => {
    expectError(
      verifyValid({ signature: withHeader(VALID.signature, header) }),
      'malformed_signature',
      `Signature header byte ${header} is outside 27–34`,
    );
  });

  it.each([
    ['r = 0', 0n, 1n],
    ['s = 0', 1n, 0n],
    ['r = n', CURVE_ORDER, 1n],
    ['s = n', 1n, CURVE_ORDER],
    ['r = 2²⁵⁶ − 1', 2n ** 256n - 1n, 1n],
  ])('%s', (_, r, s) => {
    const bytes = Uint8Array.of(31, ...toBytes32(r), ...toBytes32(s));
    expectError(verifyValid({ signature: encodeSig(bytes) }), 'malformed_signature');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => VALID.signature }],
    ['an array', [VALID.signature]],
  ])('%s instead of text', (_, value) => {
    expectError(verifyValid({ address: value }), 'invalid_input', 'The address must be text');
    expectError(verifyValid({ message: value }), 'invalid_input', 'The message must be text');
    expectError(verifyValid({ signature: value }), 'invalid_input', 'The signature must be text');
  });

  it('empty strings', () => {
    expectError(verifyValid({ address: '' }), 'invalid_input', 'The address is empty');
    expectError(verifyValid({ message: '' }), 'invalid_input', 'The message is empty');
    expectError(verifyValid({ signature: '' }), 'malformed_signature', 'The signature is empty');
    expectError(verifyValid({ signature: ' \n' }), 'malformed_signature', 'The signature is empty');
  });

  it('a message with an unpaired surrogate, which has no UTF-8 form', () => {
    expectError(verifyValid({ message: 'Hello \ud800Evrmore' }), 'invalid_input');
    expectError(verifyValid({ message: 'Hello Evrmore\udc00' }), 'invalid_input');
  });

  it('P2SH addresses of both networks', () => {
    const hash = hash160Node(Uint8Array.of(0x51));
    expectError(
      verifyValid({ address: encodeAddress(0x5c, hash) }),
      'not_signing_address',
      'Only P2PKH addresses (starting with E) can sign messages; this is a P2SH address',
    );
    expectError(verifyValid({ address: encodeAddress(0xc4, hash) }), 'not_signing_address');
    expectError(verifyMessage(encodeAddress(0xc4, hash), TESTNET.message, TESTNET.signature, testnet), 'not_signing_address');
  });

  it('a valid signature by an address of the other network', () => {
    expectError(
      verifyMessage(TESTNET.address, TESTNET.message, TESTNET.signature, mainnet),
      'wrong_network',
      'This is a testnet address; this service accepts mainnet addresses (starting with E)',
    );
    expectError(verifyMessage(VALID.address, VALID.message, VALID.signature, testnet), 'wrong_network');
  });

  it('an address with a bad checksum', () => {
    const address = VALID.address.slice(0, -1) + (VALID.address.endsWith('M') ? 'N' : 'M');
    expectError(verifyValid({ address }), 'invalid_address');
  });

  it('survives arbitrary byte strings as signatures', () => {
    let seed = 1;
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 65 }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed >>> 24;
      });
      bytes[0] = 27 + (i % 8);
      const result = verifyValid({ signature: encodeSig(bytes) });
      expect(result.ok).toBe(false);
    }
  });
});
