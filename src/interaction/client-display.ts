import type Provider from 'oidc-provider';
import { UserError } from '../errors.js';
import { describeClient, type ClientDisplay, type ClientLike } from '../oidc/client-identity.js';

export type { ClientDisplay };

export async function clientDisplay(provider: Provider, clientId: string): Promise<ClientDisplay> {
  const client = await provider.Client.find(clientId);
  if (!client) throw new UserError('unknown_client');
  return describeClient(client as unknown as ClientLike);
}
