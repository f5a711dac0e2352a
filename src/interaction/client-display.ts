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
    // The Content-Security-Policy loads images from this origin only (no third party learns
    // who signs in where): a logo is shown when it is embedded as a data: URI.
    logoUri: typeof client.logoUri === 'string' && /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,/.test(client.logoUri) ? client.logoUri : undefined,
    uri: client.clientUri,
  };
}
