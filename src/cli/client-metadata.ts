/**
 * Static client registrations (CLIENTS_FILE) as oidc-provider takes them (RFC 7591 §2 names),
 * plus our `first_party` and `require_pkce` flags.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEVICE_CODE_GRANT, type ClientMetadata } from '../config/index.js';
import { MAX_LOGO_BYTES } from '../config/client-logo.js';
import { imageTypeOf, logoDataUri } from '../oidc/client-logo.js';
import { CliError, UsageError } from './context.js';
import { readJsonFile } from './files.js';
import { isSecureOrLoopback } from './urls.js';

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The same rule as loadConfig's, so that a client this command adds never stops the start. */
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export const MASK = '********';

export interface NewClient {
  id: string;
  name?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  public: boolean;
  firstParty: boolean;
  refresh: boolean;
  /** A legacy confidential client that cannot send PKCE (src/oidc/pkce-policy.ts). */
  withoutPkce?: boolean;
  authMethod?: AuthMethod;
  /** A device-flow client (RFC 8628): no redirect URIs, no authorization code. */
  device?: boolean;
  /** The logo as a data: URI (see readLogo). */
  logo?: string;
}

/**
 * 256 random bits, base64url: client_secret_basic form-encodes id and secret before base64
 * (RFC 6749 §2.3.1) and several client libraries skip that step, so a secret without characters
 * that form-encoding changes works with all of them.
 */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function checkClientId(id: string): string {
  if (!CLIENT_ID.test(id)) throw new UsageError(`--id must be 1-128 characters of A-Z a-z 0-9 . _ ~ - (got "${id}")`);
  return id;
}

export function checkRedirectUri(text: string, option: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${option} is not an absolute URL: "${text}"`);
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI must not include a fragment.
  if (url.hash || text.includes('#')) throw new UsageError(`${option} must not have a fragment (#): "${text}"`);
  if (!isSecureOrLoopback(url)) {
    throw new UsageError(
      `${option} must be https, or http on localhost, 127.0.0.1 or [::1]: "${text}" would carry authorization codes in clear`,
    );
  }
  return text;
}

export function buildClient(input: NewClient): { metadata: ClientMetadata; secret?: string } {
  const secret = input.public ? undefined : newClientSecret();
  const metadata: ClientMetadata = {
    client_id: input.id,
    ...(input.name ? { client_name: input.name } : {}),
    ...(secret ? { client_secret: secret } : {}),
    token_endpoint_auth_method: input.public ? 'none' : (input.authMethod ?? 'client_secret_basic'),
    ...(input.device
      ? // No redirect: the person signs in on another screen and the device polls (RFC 8628 §3.4).
        { grant_types: [DEVICE_CODE_GRANT, ...(input.refresh ? ['refresh_token'] : [])], response_types: [] }
      : {
          redirect_uris: input.redirectUris,
          ...(input.postLogoutRedirectUris.length ? { post_logout_redirect_uris: input.postLogoutRedirectUris } : {}),
          // oidc-provider issues refresh tokens only to clients allowed this grant.
          ...(input.refresh ? { grant_types: ['authorization_code', 'refresh_token'] } : {}),
        }),
    ...(input.logo ? { logo_uri: input.logo } : {}),
    ...(input.firstParty ? { first_party: true } : {}),
    ...(input.withoutPkce ? { require_pkce: false } : {}),
  };
  return { metadata, secret };
}

export function isPublic(client: ClientMetadata): boolean {
  return client.token_endpoint_auth_method === 'none';
}

export function masked(client: ClientMetadata): ClientMetadata {
  return client.client_secret === undefined ? client : { ...client, client_secret: MASK };
}

/** The registrations in `path`; undefined when the file does not exist. */
export async function readClientsFile(path: string): Promise<ClientMetadata[] | undefined> {
  const raw = await readJsonFile(path);
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw new CliError(`${path} must hold a JSON array of clients`);
  raw.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as ClientMetadata).client_id !== 'string') {
      throw new CliError(`${path}: entry ${i} is not a client with a client_id`);
    }
  });
  return raw as ClientMetadata[];
}

export async function requireClientsFile(path: string): Promise<ClientMetadata[]> {
  const clients = await readClientsFile(path);
  if (!clients) throw new CliError(`${path} does not exist (create it with 'clients add')`);
  return clients;
}

export function findClient(clients: readonly ClientMetadata[], id: string): ClientMetadata {
  const client = clients.find((c) => c.client_id === id);
  if (!client) throw new CliError(`no client with id "${id}"`);
  return client;
}

/** The image at `path` as the data: URI the sign-in page shows (src/oidc/client-logo.ts). */
export async function readLogo(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read the logo ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new UsageError(
      `--logo ${path} is ${Math.ceil(bytes.length / 1024)} KiB; at most ${MAX_LOGO_BYTES / 1024} KiB (it is sent with every sign-in page: a 64-pixel PNG or an SVG is a few KiB)`,
    );
  }
  if (!imageTypeOf(bytes)) throw new UsageError(`--logo ${path} is not a PNG, JPEG, GIF, WebP or SVG image`);
  return logoDataUri(bytes)!;
}
