/**
 * The static clients (CLIENTS_FILE, or config/clients.json when present): relying parties as
 * oidc-provider takes them, checked here so that a mistake stops the start with its reason.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isLogoDataUri, MAX_LOGO_BYTES } from './client-logo.js';
import type { EnvReader } from './readers.js';

/** RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Client metadata as oidc-provider takes it, plus our own `first_party` flag (skips consent). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

export interface ClientSettings {
  clients: ClientMetadata[];
  clientsFile?: string;
}

const clientSchema = z.looseObject({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'client_id must be 1-128 URL-safe characters'),
  // Absent or empty for device-flow-only clients (RFC 8628); readClients checks the rest.
  redirect_uris: z.array(z.string()).optional(),
  first_party: z.boolean().optional(),
  require_pkce: z.boolean().optional(),
});
const clientsSchema = z.array(clientSchema);

export function readClientSettings(read: EnvReader): ClientSettings {
  const clientsFile =
    read.text('CLIENTS_FILE') ?? (existsSync(resolve(read.cwd, 'config/clients.json')) ? 'config/clients.json' : undefined);
  return clientsFile ? { clients: readClients(read, clientsFile), clientsFile } : { clients: [] };
}

function readClients(read: EnvReader, file: string): ClientMetadata[] {
  const { problems } = read;
  const raw = read.jsonFile('CLIENTS_FILE', file);
  if (raw === undefined) return [];
  const parsed = clientsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`CLIENTS_FILE (${file}) at ${issue.path.join('.') || 'top level'}: ${issue.message}`);
    }
    return [];
  }
  const ids = new Set<string>();
  for (const client of parsed.data) {
    if (ids.has(client.client_id)) problems.push(`CLIENTS_FILE (${file}): client_id "${client.client_id}" appears twice`);
    ids.add(client.client_id);
    const grants = Array.isArray(client.grant_types) ? client.grant_types : ['authorization_code'];
    if (!client.redirect_uris?.length && grants.includes('authorization_code')) {
      problems.push(
        `CLIENTS_FILE (${file}): client "${client.client_id}" needs at least one redirect_uri, or is a device client (grant_types ["${DEVICE_CODE_GRANT}"], response_types [])`,
      );
    }
    const logo = client.logo_uri;
    if (typeof logo === 'string' && logo.startsWith('data:') && !isLogoDataUri(logo)) {
      problems.push(
        `CLIENTS_FILE (${file}): client "${client.client_id}" has a logo_uri data: URI that is not a base64 PNG, JPEG, GIF, WebP or SVG image of at most ${MAX_LOGO_BYTES / 1024} KiB`,
      );
    }
  }
  return parsed.data as ClientMetadata[];
}
