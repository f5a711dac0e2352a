/**
 * The client metadata beyond RFC 7591's that clients here carry (oidc-provider's
 * extraClientMetadata), and what a client's metadata must meet: the operator's static clients
 * at start, self-registered ones at registration and update (RFC 7591 §2, RFC 7592 §2.2).
 */
import { errors, type Configuration } from 'oidc-provider';
import type { ClientMetadata } from '../config/index.js';
import { isLogoDataUri } from '../config/client-logo.js';
import { LOGO_METADATA } from './client-logo.js';
import { requirePkceProblem } from './pkce-policy.js';
import {
  backchannelLogoutProblem,
  clientNameProblem,
  comparableName,
  registrationUpdateProblem,
  type ReleasingIdentity,
} from './registered-clients.js';

/**
 * Client metadata a feature defines (RFC 7591 §2 lets a server accept its own): its property
 * names, and what is wrong with a value (asked for every property of a client; undefined when
 * the key is not its own or the value is fine).
 */
export interface ClientMetadataExtension {
  properties: readonly string[];
  problem(key: string, value: unknown): string | undefined;
}

/** first_party, require_pkce, logo_uri as data and each extension's properties, validated. */
export function extraClientMetadata(
  configuredClients: readonly ClientMetadata[],
  extensions: readonly ClientMetadataExtension[],
): NonNullable<Configuration['extraClientMetadata']> {
  // Names a self-registered client may not take (src/oidc/registered-clients.ts).
  const configuredNames = new Set(
    configuredClients.flatMap((c) => (typeof c.client_name === 'string' ? [comparableName(c.client_name)] : [])),
  );
  return {
    properties: ['first_party', 'require_pkce', ...extensions.flatMap((extension) => extension.properties), LOGO_METADATA],
    validator(ctx, key, value, metadata) {
      // Once per registration or update (oidc-provider calls the validator for every listed
      // property, first_party first): whole-client rules for self-registered clients.
      if (key === 'first_party' && ctx !== undefined) {
        // RFC 7592 §2.2 update: the client being replaced is the authenticated one.
        const registered = metadata as unknown as Record<string, unknown>;
        const existing = ctx.oidc?.client as unknown as ReleasingIdentity | undefined;
        const problem =
          clientNameProblem(registered.client_name, configuredNames) ??
          backchannelLogoutProblem(registered) ??
          (existing && registrationUpdateProblem(existing, registered));
        if (problem) throw new errors.InvalidClientMetadata(problem);
      }
      for (const extension of extensions) {
        const problem = extension.problem(key, value);
        if (problem) throw new errors.InvalidClientMetadata(problem);
      }
      if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
        throw new errors.InvalidClientMetadata('first_party must be a boolean');
      }
      const pkceProblem = requirePkceProblem(key, value, metadata as unknown as Record<string, unknown>, ctx !== undefined);
      if (pkceProblem) throw new errors.InvalidClientMetadata(pkceProblem);
      // Only the operator's static clients may skip consent: oidc-provider passes a request
      // context only for dynamic registration and its updates (RFC 7591 §2, RFC 7592 §2.2).
      if (key === 'first_party' && value === true && ctx !== undefined) {
        throw new errors.InvalidClientMetadata('first_party cannot be registered dynamically');
      }
      // An embedded logo is the operator's to give (src/oidc/client-logo.ts): a self-registered
      // client showing any picture it likes would help it pass for another.
      if (key === LOGO_METADATA && value !== undefined) {
        if (ctx !== undefined) throw new errors.InvalidClientMetadata(`${LOGO_METADATA} cannot be registered dynamically`);
        if (!isLogoDataUri(value))
          throw new errors.InvalidClientMetadata('logo_uri as data: must be a base64 PNG, JPEG, GIF, WebP or SVG image of at most 64 KiB');
      }
    },
  };
}
