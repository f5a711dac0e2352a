import type { Configuration } from 'oidc-provider';
import type { RegistrationConfig } from '../config/index.js';

/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592), off unless configured.
 * With `token`, POST /reg needs the operator's initial access token as a Bearer token
 * (RFC 7591 §3); each registration returns a registration access token with which that client,
 * and only it, reads, updates or deletes its registration at /reg/<client_id> (RFC 7592 §2),
 * rotated on every update. Registered clients are stored by the adapter without expiry, so
 * they survive restarts on Redis.
 */
export function registrationFeatures(
  registration: RegistrationConfig,
): Pick<NonNullable<Configuration['features']>, 'registration' | 'registrationManagement'> {
  if (registration.mode === 'off') return {};
  return {
    registration: {
      enabled: true,
      // true: per-partner tokens, looked up through the InitialAccessToken adapter (src/oidc/registration-tokens.ts).
      initialAccessToken: registration.mode === 'token' ? (registration.initialAccessToken ?? true) : false,
    },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
  };
}
