/**
 * Evrmore network constants, from Evrmore Core's chainparams.cpp. Regtest shares
 * testnet's version bytes, so it needs no entry of its own.
 */
export type NetworkName = 'mainnet' | 'testnet';

export interface EvrmoreNetwork {
  name: NetworkName;
  /** Version byte of P2PKH addresses: the only kind that can sign a message. */
  pubKeyHash: number;
  /** Version byte of P2SH addresses, known so that they can be refused with a clear reason. */
  scriptHash: number;
  /** Version byte of WIF private keys. */
  wif: number;
  /** Signed-message prefix, without its length byte (see magicHash). */
  messagePrefix: string;
}

/** Both networks sign with the same prefix; only the version bytes differ. */
export const MESSAGE_PREFIX = 'Evrmore Signed Message:\n';

export const NETWORKS: Record<NetworkName, EvrmoreNetwork> = Object.freeze({
  mainnet: Object.freeze({
    name: 'mainnet',
    pubKeyHash: 0x21,
    scriptHash: 0x5c,
    wif: 0x80,
    messagePrefix: MESSAGE_PREFIX,
  }),
  testnet: Object.freeze({
    name: 'testnet',
    pubKeyHash: 0x6f,
    scriptHash: 0xc4,
    wif: 0xef,
    messagePrefix: MESSAGE_PREFIX,
  }),
});

export function isNetworkName(x: unknown): x is NetworkName {
  return x === 'mainnet' || x === 'testnet';
}

export function otherNetwork(network: EvrmoreNetwork): EvrmoreNetwork {
  return network.name === 'mainnet' ? NETWORKS.testnet : NETWORKS.mainnet;
}

/** The first letters of this network's P2PKH addresses, for error messages. */
export function addressLetters(network: EvrmoreNetwork): string {
  return network.name === 'mainnet' ? 'E' : 'm or n';
}

/** How this network's P2PKH addresses look to a person, for error messages. */
export function addressStart(network: EvrmoreNetwork): string {
  return `starting with ${addressLetters(network)}`;
}
