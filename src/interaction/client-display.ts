import type Provider from 'oidc-provider';
import { UserError } from '../http/errors.js';

/** What a page shows of the relying party that asks a person to sign in. */
export interface ClientDisplay {
  id: string;
  name: string;
  logoUri?: string;
  uri?: string;
}

export async function clientDisplay(provider: Provider, clientId: string): Promise<ClientDisplay> {
  const client = await provider.Client.find(clientId);
  if (!client) throw new UserError(400, 'unknown_client', 'The application that sent you here is not registered with this provider.');
  return {
    id: client.clientId,
    name: client.clientName ?? client.clientId,
    logoUri: client.logoUri,
    uri: client.clientUri,
  };
}
