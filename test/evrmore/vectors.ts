/** Known-answer vectors of Evrmore Core signmessage. Public test keys: never fund them. */
export interface Vector {
  name: string;
  network: 'mainnet' | 'testnet';
  address: string;
  message: string;
  signature: string;
  /** Present when the signature is Core-equivalent, so signMessage must reproduce it. */
  wif?: string;
}

export const REAL_WALLET: Vector = {
  name: 'real wallet',
  network: 'mainnet',
  address: 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc',
  message: 'Sign this message to authenticate with Evrmore: EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc:1741810666:3fa805f556befabe',
  signature: 'H1MP+CwatCUG9YyTlMK5qNZQpShEHZdqkIFFV/gnoa9WW/TcMwSEPu1lNIrVgzAOQBm2ACNVgYCYsI+X/Fiy4j4=',
};

export const COMPRESSED: Vector = {
  name: 'Core-equivalent, compressed key',
  network: 'mainnet',
  wif: 'KwS1DUSPM5vGQ1b5XCd1BaQrKyDc2sfKr6eGFwdQrmX1MhkYor83',
  address: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
  message: 'Hello Evrmore',
  signature: 'IOroiZddQJJt2LvvdwEOUpeOpoYtx7/qN/xc2xRiuPcvI1jEnSzIVnqH5mpzQyOQE234Ili6NpK2LFDwwI9mrdU=',
};

/** Escaped so that no editor can change its normalisation: 24 UTF-8 bytes. */
export const NON_ASCII: Vector = {
  name: 'Core-equivalent, non-ASCII message',
  network: 'mainnet',
  wif: COMPRESSED.wif,
  address: COMPRESSED.address,
  message: 'Gr\u00fc\u00dfe \u{1F30D} \u2014 sign in',
  signature: 'HxTMfN3HPG5g1V5NeBigB0Xc5YtfKQpUxCQ/LC1SMdBJXkppYjx51wjf3MoYqSI7MRScv6I3PLiZwOJmna1Dl9I=',
};

export const UNCOMPRESSED: Vector = {
  name: 'Core-equivalent, uncompressed key',
  network: 'mainnet',
  wif: '5Hxn5C4SQuiV6e62A1MtZmbSeQyrLFhu5uYks62pU5VBUygK2KD',
  address: 'EYYBz3NduASgxQLqBut72bXGi86M9HsghK',
  message: 'Electrum',
  signature: 'G89MU3NmBV2xeTCn2zhvMY07DV1W8/choPeBboJBX8kcR8uqZCHNr3HkKcML6fctux017wt8tvoAM1RBnLIZ7c8=',
};

export const TESTNET: Vector = {
  name: 'Core-equivalent, testnet',
  network: 'testnet',
  wif: 'cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N',
  address: 'mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB',
  message: 'This is just a test message',
  signature: 'H2nVolW5qW6kzCYjOXKPrHhtPNkSB1jpmAZLGEZRpoDtaLYkr+HGjBO9hyC6lLi0zzqHkoI735Bnq1ttvWOr4pk=',
};

export const VALID_VECTORS: readonly Vector[] = [REAL_WALLET, COMPRESSED, NON_ASCII, UNCOMPRESSED, TESTNET];
export const CORE_VECTORS: readonly Vector[] = [COMPRESSED, NON_ASCII, UNCOMPRESSED, TESTNET];

/** A real signature by the real-wallet key, over a different challenge than the one given. */
export const MUST_FAIL: Vector = {
  name: 'must fail',
  network: 'mainnet',
  address: 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc',
  message: 'Sign this message to authenticate with Evrmore: EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc:1741815113:c4365fe48492d73f',
  signature: 'H9zHnUbwvQiXpAHnYDxkTRxCHRUKzQXQ3QNAyA+9SJKmEtFfMn7Z5JJXRQs29Jzf6HjA0e2yqC1Xk/9M94Uz6Sc=',
};
