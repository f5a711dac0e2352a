/**
 * Structured JSON logs (pino). Anything that could carry a secret is redacted by path, as a
 * second line of defence: the code never logs signatures, tokens, cookies or keys on purpose.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACTED_PATHS = [
  'signature', '*.signature',
  'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'id_token', '*.id_token',
  'code', '*.code',
  'cookie', '*.cookie', 'headers.cookie', 'req.headers.cookie', 'headers.authorization', 'req.headers.authorization',
  'client_secret', '*.client_secret', 'password', '*.password', 'jwks', '*.jwks', 'cookieKeys', '*.cookieKeys',
  // ioredis attaches the failed command and its arguments (a stored token or session) to errors.
  'err.command', '*.err.command', 'error.command',
  // The alert webhook and the metrics token carry secrets in their values.
  'webhookUrl', '*.webhookUrl', 'metricsToken', '*.metricsToken', 'authorization', '*.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'evrmore-accounts' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * A request path fit for the log: id-like segments (interaction ids, which are also the
 * interaction cookie's value; challenge ids, which are the wallet URL's capability) become ":id".
 */
export function loggablePath(path: string): string {
  return path.replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:id');
}
