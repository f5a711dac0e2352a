import { describe, it, expect } from 'vitest';
import { claimsRequestWithinScopes, limitToScope } from '../../src/oidc/claim-release.js';

const BY_SCOPE = { openid: ['sub', 'acr', 'amr', 'auth_time'], evrmore: ['evrmore_address', 'evrmore_network'], groups: ['groups'] };

describe('claim release bound to scopes', () => {
  it("cuts an account's claims to those of the token's scopes, keeping the authentication claims", () => {
    const all = { sub: 'A', acr: 'x', evrmore_address: 'A', evrmore_network: 'mainnet', groups: ['g'] };
    expect(limitToScope(BY_SCOPE, 'openid', all)).toEqual({ sub: 'A', acr: 'x' });
    expect(limitToScope(BY_SCOPE, 'openid groups', all)).toEqual({ sub: 'A', acr: 'x', groups: ['g'] });
    expect(limitToScope(BY_SCOPE, '', all)).toEqual({ sub: 'A', acr: 'x' });
  });

  it('cuts a claims request to the claims of the requested scopes, leaving unknown claims', () => {
    const request = {
      id_token: { evrmore_address: null, auth_time: { essential: true }, groups: null },
      userinfo: { nickname: null, groups: null },
    };
    expect(claimsRequestWithinScopes(BY_SCOPE, 'openid evrmore', request)).toEqual({
      id_token: { evrmore_address: null, auth_time: { essential: true } },
      userinfo: { nickname: null },
    });
    expect(claimsRequestWithinScopes(BY_SCOPE, 'openid groups', request)).toEqual({
      id_token: { auth_time: { essential: true }, groups: null },
      userinfo: { nickname: null, groups: null },
    });
  });
});
