import { describe, expect, it } from 'vitest';
import { addressOfWif, NETWORKS, signMessage, verifyMessage } from '../../src/evrmore/index.js';
import { run } from './helpers.js';

describe('wallet new', () => {
  it('prints a fresh mainnet WIF and its address, a new one each time', async () => {
    const first = await run(['wallet', 'new', '--json']);
    const second = await run(['wallet', 'new', '--json']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { wif: string; address: string; network: string };
    const b = JSON.parse(second.stdout) as { wif: string };
    expect(a.network).toBe('mainnet');
    expect(a.address).toMatch(/^E/);
    expect(a.wif).toMatch(/^[KL]/); // compressed mainnet WIF
    expect(addressOfWif(a.wif, NETWORKS.mainnet)).toBe(a.address);
    expect(b.wif).not.toBe(a.wif);
    // A key that signs in: its signature verifies for its address.
    const signature = signMessage('Hello Evrmore', a.wif, NETWORKS.mainnet);
    expect(verifyMessage(a.address, 'Hello Evrmore', signature, NETWORKS.mainnet)).toEqual({ ok: true, address: a.address });
  });

  it('--testnet makes a testnet key (m… or n…); the plain output labels both lines', async () => {
    const result = await run(['wallet', 'new', '--testnet']);
    expect(result.code).toBe(0);
    const wif = /^private key \(WIF\): (\S+)$/m.exec(result.stdout)?.[1];
    const address = /^address: +(\S+) \(testnet\)$/m.exec(result.stdout)?.[1];
    expect(wif).toMatch(/^c/);
    expect(address).toMatch(/^[mn]/);
    expect(addressOfWif(wif!, NETWORKS.testnet)).toBe(address);
  });

  it('refuses an unknown option with the usage, exit 2', async () => {
    const result = await run(['wallet', 'new', '--mainnet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: evrmore-accounts wallet new');
  });
});
