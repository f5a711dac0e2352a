import { createRequire } from 'node:module';
import type * as TinySecp256k1 from 'tiny-secp256k1';

/**
 * libsecp256k1 (the library Evrmore Core itself uses) compiled to WASM. Public-key recovery is
 * about 5x faster than pure-JS @noble/curves, which the sign-in throughput target needs.
 * The package reads and compiles its .wasm file when imported, so it is loaded on first use
 * instead: importing this module does no I/O.
 */
export type Secp256k1 = typeof TinySecp256k1;

let loaded: Secp256k1 | undefined;

export function secp256k1(): Secp256k1 {
  loaded ??= createRequire(import.meta.url)('tiny-secp256k1') as Secp256k1;
  return loaded;
}
