/**
 * Protocol lifetimes: how long tokens, sessions, grants, sign-ins and their challenges live,
 * in seconds, and the checks that keep them consistent with each other.
 */
import type { EnvReader } from './readers.js';

export interface Lifetimes {
  accessToken: number;
  idToken: number;
  refreshToken: number;
  session: number;
  grant: number;
  interaction: number;
  authorizationCode: number;
  challenge: number;
}

export function readLifetimes(read: EnvReader): Lifetimes {
  const { problems } = read;
  /** The first of `names` that is set, so that an older name of a variable still counts. */
  const duration = (names: string[], fallback: number): number => {
    const name = names.find((n) => read.text(n) !== undefined);
    return name ? read.duration(name, fallback) : fallback;
  };
  // The seed product named the token lifetimes JWT_EXPIRATION and REFRESH_TOKEN_EXPIRATION;
  // operators coming from it keep their settings.
  const accessToken = duration(['ACCESS_TOKEN_TTL', 'JWT_EXPIRATION'], 3600);
  const ttl = {
    accessToken,
    idToken: duration(['ID_TOKEN_TTL'], accessToken),
    refreshToken: duration(['REFRESH_TOKEN_TTL', 'REFRESH_TOKEN_EXPIRATION'], 30 * 86400),
    session: duration(['SESSION_TTL'], 7 * 86400),
    grant: duration(['GRANT_TTL'], 30 * 86400),
    interaction: duration(['INTERACTION_TTL'], 15 * 60),
    authorizationCode: duration(['AUTHORIZATION_CODE_TTL'], 60),
    challenge: duration(['CHALLENGE_TTL'], 5 * 60),
  };
  if (ttl.challenge > ttl.interaction) {
    problems.push(
      `CHALLENGE_TTL (${ttl.challenge}s) must not be longer than INTERACTION_TTL (${ttl.interaction}s): a challenge cannot outlive its sign-in`,
    );
  }
  if (ttl.grant < ttl.refreshToken) {
    problems.push(
      `GRANT_TTL (${ttl.grant}s) must be at least REFRESH_TOKEN_TTL (${ttl.refreshToken}s): a refresh token dies with its grant`,
    );
  }
  return ttl;
}
