import { createRequire } from 'node:module';
import type * as TinySecp256k1 from 'tiny-secp256k1';

/**
 * libsecp256k1 (the library Evrmore Core itself uses) compiled to WASM. Public-key recovery is
 * about 5x faster than pure-JS @noble/curves, which the sign-in throughput target needs.
 * The package reads and compiles its .wasm file when imported, so it is loaded on first use
 * instead: importing this module does no I/O.
 */
export type Secp256k1 = typeof TinySecp256k1;

const require = createRequire(import.meta.url);

let loaded: Secp256k1 | undefined;

export function secp256k1(): Secp256k1 {
  loaded ??= require('tiny-secp256k1') as Secp256k1;
  return loaded;
}

/** The recovery function of the `secp256k1` package's Node-API binding (its API.md). */
interface NativeBinding {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

/** Which build recovers public keys: libsecp256k1 native, or the same library as WASM. */
export type RecoveryBackend = 'native' | 'wasm';

let native: NativeBinding | null | undefined;

/**
 * libsecp256k1 itself through the `secp256k1` package's Node-API binding, which ships built for
 * Linux x64 (glibc and musl), macOS arm64 and Windows x64: recovery in ~40 µs against ~200 µs as
 * WASM, the largest single cost of a sign-in (docs/performance.md, change 15). Only the binding
 * is loaded (`secp256k1/bindings.js`), never the package's pure-JS fallback; where the binding
 * does not load, the WASM build recovers, with the same answers.
 */
function nativeBinding(): NativeBinding | null {
  if (native === undefined) {
    try {
      native = require('secp256k1/bindings.js') as NativeBinding;
    } catch {
      native = null;
    }
  }
  return native;
}

export function recoveryBackend(): RecoveryBackend {
  return nativeBinding() ? 'native' : 'wasm';
}

/**
 * The public key that made the compact signature `rs` (r ‖ s, 64 bytes) with recovery id
 * `recid` over `hash`, or null when there is none (r or s out of range, r not the x coordinate
 * of a curve point for this id).
 */
export function recoverPublicKey(hash: Uint8Array, rs: Uint8Array, recid: 0 | 1 | 2 | 3, compressed: boolean): Uint8Array | null {
  return recoverPublicKeyWith(recoveryBackend(), hash, rs, recid, compressed);
}

/** The same with a chosen build (the tests hold both to the same answers; the bench times both). */
export function recoverPublicKeyWith(
  backend: RecoveryBackend,
  hash: Uint8Array,
  rs: Uint8Array,
  recid: 0 | 1 | 2 | 3,
  compressed: boolean,
): Uint8Array | null {
  const binding = backend === 'native' ? nativeBinding() : null;
  if (backend === 'native' && !binding) throw new Error('the native libsecp256k1 binding is not available here');
  try {
    return binding ? binding.ecdsaRecover(rs, recid, hash, compressed) : secp256k1().recover(hash, rs, recid, compressed);
  } catch {
    return null;
  }
}
