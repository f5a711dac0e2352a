/**
 * The one check of a client's embedded logo (a data: URI in logo_uri) that the clients file,
 * the provider's metadata validation and the CLI share: a base64 image of a type we show, small
 * enough for every sign-in page. How a logo is embedded and handed to oidc-provider is
 * src/oidc/client-logo.ts.
 */

/** Larger logos would weigh on every sign-in page; a 64-pixel logo is a few KiB. */
export const MAX_LOGO_BYTES = 64 * 1024;

export const IMAGE_TYPES = ['png', 'jpeg', 'gif', 'webp', 'svg+xml'] as const;
const DATA_URI = new RegExp(`^data:image/(${IMAGE_TYPES.map((t) => t.replace('+', '\\+')).join('|')});base64,[A-Za-z0-9+/]+={0,2}$`);

export function isLogoDataUri(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_LOGO_BYTES * 1.4 && DATA_URI.test(value);
}
