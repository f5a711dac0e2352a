/**
 * findAccount: an account is an address of the configured network; anything else is no account,
 * however often it is asked for (the checks are remembered).
 */
import { describe, it, expect } from 'vitest';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { createFindAccount } from '../../src/oidc/account.js';

const ctx = (subjectType = 'public') => ({ oidc: { client: { subjectType } } }) as unknown as KoaContextWithOIDC;

describe('findAccount', () => {
  const find = createFindAccount({ network: 'mainnet', emailDomain: 'evr.example' });

  it('returns the address as account with its claims, the same on every call', async () => {
    for (let i = 0; i < 3; i++) {
      const account = await find(ctx(), 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM');
      expect(account?.accountId).toBe('EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM');
      expect(await account!.claims('id_token', 'openid profile', {}, [])).toMatchObject({
        sub: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
        evrmore_network: 'mainnet',
        email: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM@evr.example',
      });
    }
  });

  it('finds no account for a bad checksum, another network or garbage, also when asked again', async () => {
    for (let i = 0; i < 2; i++) {
      expect(await find(ctx(), 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYN')).toBeUndefined();
      expect(await find(ctx(), 'mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB')).toBeUndefined();
      expect(await find(ctx(), 'not an address')).toBeUndefined();
    }
  });

  it('gives a pairwise client only sub unless the evrmore scope was granted', async () => {
    const account = await find(ctx('pairwise'), 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM');
    expect(await account!.claims('userinfo', 'openid profile', {}, [])).toEqual({ sub: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM' });
    expect(await account!.claims('userinfo', 'openid evrmore', {}, [])).toMatchObject({
      evrmore_address: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
    });
  });
});
