import { describe, expect, it } from 'vitest';
import { NETWORKS, isNetworkName } from '../../src/evrmore/index.js';

describe('NETWORKS (Evrmore Core chainparams.cpp)', () => {
  it('has the mainnet version bytes', () => {
    expect(NETWORKS.mainnet).toEqual({
      name: 'mainnet',
      pubKeyHash: 0x21,
      scriptHash: 0x5c,
      wif: 0x80,
      messagePrefix: 'Evrmore Signed Message:\n',
    });
  });

  it('has the testnet version bytes', () => {
    expect(NETWORKS.testnet).toEqual({
      name: 'testnet',
      pubKeyHash: 0x6f,
      scriptHash: 0xc4,
      wif: 0xef,
      messagePrefix: 'Evrmore Signed Message:\n',
    });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(NETWORKS)).toBe(true);
    expect(Object.isFrozen(NETWORKS.mainnet)).toBe(true);
    expect(Object.isFrozen(NETWORKS.testnet)).toBe(true);
  });

  it('isNetworkName accepts exactly the two names', () => {
    expect(isNetworkName('mainnet')).toBe(true);
    expect(isNetworkName('testnet')).toBe(true);
    for (const x of ['regtest', 'Mainnet', '', ' mainnet', null, undefined, 0, {}, ['mainnet']]) {
      expect(isNetworkName(x)).toBe(false);
    }
  });
});
