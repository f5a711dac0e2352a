/**
 * A relying party's logo, embedded as a data: URI. The Content-Security-Policy loads images
 * from this origin and data: only (no third party learns who signs in where), so a logo on the
 * sign-in page must travel inside the client's metadata.
 *
 * The operator writes it as `logo_uri` in the clients file (`clients add --logo FILE`), but
 * oidc-provider accepts only http(s) for logo_uri (RFC 7591 §2 calls it a URL to retrieve), so
 * it is handed to the provider as our own metadata `logo_data_uri` instead.
 */
import { type IMAGE_TYPES, isLogoDataUri } from '../config/client-logo.js';

/** Our own client metadata that carries the embedded logo to oidc-provider. */
export const LOGO_METADATA = 'logo_data_uri';

/** The image type of `bytes` by its signature, or undefined when it is none we show. */
export function imageTypeOf(bytes: Buffer): (typeof IMAGE_TYPES)[number] | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (/^GIF8[79]a/.test(bytes.subarray(0, 6).toString('latin1'))) return 'gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  // An <img> never runs an SVG's scripts, so an SVG logo is as inert as a bitmap.
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(bytes.subarray(0, 4096).toString('utf8'))) return 'svg+xml';
  return undefined;
}

export function logoDataUri(bytes: Buffer): string | undefined {
  const type = imageTypeOf(bytes);
  return type ? `data:image/${type};base64,${bytes.toString('base64')}` : undefined;
}

/** A static client as oidc-provider takes it: an embedded logo moved to LOGO_METADATA. */
export function withEmbeddedLogo<T extends Record<string, unknown>>(client: T): T {
  if (!isLogoDataUri(client.logo_uri)) return client;
  const { logo_uri: logo, ...rest } = client;
  return { ...rest, [LOGO_METADATA]: logo } as unknown as T;
}
