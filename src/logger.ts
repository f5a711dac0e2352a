/**
 * Structured JSON logs (pino). Anything that could carry a secret is redacted by path, as a
 * second line of defence: the code never logs signatures, tokens, cookies or keys on purpose.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

/** How log lines are written: JSON for machines, or one readable line each for a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Names that could carry a secret, censored wherever they appear in a line. Exact paths only:
 * pino's wildcard paths ("*.token") walk every key of every line and cost 11 µs a line, three
 * times the rest of the line. The code logs flat objects; the nested paths below are the ones
 * that exist (an error serialized under `err` or `error`, a request's headers).
 */
export const REDACTED_PATHS = [
  'signature',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'cookie',
  'headers.cookie',
  'req.headers.cookie',
  'headers.authorization',
  'req.headers.authorization',
  'authorization',
  'client_secret',
  'password',
  'jwks',
  'cookieKeys',
  // ioredis attaches the failed command and its arguments (a stored token or session) to errors.
  'err.command',
  'error.command',
  // The alert webhook and the metrics token carry secrets in their values.
  'webhookUrl',
  'metricsToken',
];

/**
 * pino's `isoTime` (`,"time":"<ISO 8601>"`), formatted once per millisecond: lines often share
 * one (a token response writes two or three), and formatting a date was a tenth of a line's cost.
 */
export function isoTimeOncePerMillisecond(clock: () => number = Date.now): () => string {
  let last = Number.NaN;
  let fragment = '';
  return () => {
    const now = clock();
    if (now !== last) {
      last = now;
      fragment = `,"time":"${new Date(now).toISOString()}"`;
    }
    return fragment;
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'evrmore-accounts' },
      timestamp: isoTimeOncePerMillisecond(),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * Standard output, written in batches: when 4 KB are buffered or a second has passed. One write
 * per line (pino's default) was a system call for each of a sign-in's eight lines. What is
 * still buffered is written synchronously when the process exits (pino registers that for
 * asynchronous destinations), so a crash loses nothing; a SIGKILL can lose the last second.
 */
export function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 });
}

/**
 * A request path fit for the log: id-like segments (interaction ids, which are also the
 * interaction cookie's value; challenge ids, which are the wallet URL's capability) become ":id".
 */
export function loggablePath(path: string): string {
  return path.replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:id');
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/**
 * One JSON log line as a person reads it in a terminal: "09:41:07 WARN  message key=value ...".
 * The same fields as the JSON, redaction included (it runs before the line is written).
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  return [time, level, entry.msg ?? '', ...fields].filter((part) => part !== '').join(' ');
}

/** Standard output in readable lines (development in a terminal; LOG_FORMAT=pretty). */
export function prettyDestination(write: (text: string) => void = (text) => process.stdout.write(text)): DestinationStream {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) write(`${prettyLine(line)}\n`);
    },
  };
}
