/**
 * Security limits (SECURITY.md): rate limits, open event streams, failure alerts and lock-out,
 * the attempts a challenge allows, the metrics listener and token, security.txt, CORS origins,
 * and how many proxies to trust in X-Forwarded-For.
 */
import { parseDuration } from '../duration.js';
import { httpUrl, OFF, type EnvReader } from './readers.js';

/** A rate limit: at most `points` requests per `durationSeconds` and key. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** The protections SECURITY.md lists; each tunable, each on by default. */
export interface SecurityConfig {
  /** Absent: that limit is off. */
  rateLimits: {
    /** Sign-in pages opened and new texts asked for, per client IP. */
    challenge?: RateLimit;
    /** Signature submissions (login form, wallet URL, continue) and device-flow user codes, per client IP. */
    signinPerIp?: RateLimit;
    /** Token and device-authorization endpoint requests, per client IP. */
    token?: RateLimit;
    /** Dynamic client registration requests, per client IP. */
    registration?: RateLimit;
    /** Authorization requests (GET /auth) and pushed authorization requests, per client IP. */
    authorization?: RateLimit;
    /** Sign-in status polls (the login page's fallback for its event stream), per client IP. */
    status?: RateLimit;
    /** Wrong device-flow user codes entered on the whole service (RFC 8628 §5.1), from any IP. */
    userCodeGuesses?: RateLimit;
  };
  /** Open sign-in event streams at once, per client IP and per instance in total. */
  eventStreams: { perIp: number; total: number };
  failures: {
    /** Failed sign-ins from one IP, or naming one address, within the window that raise the alert. */
    threshold: number;
    windowSeconds: number;
    /** How long an IP that reached the threshold may not sign in; 0: alert only. */
    lockoutSeconds: number;
    /** Where alerts are POSTed as JSON. */
    webhookUrl?: string;
  };
  /** The bearer token that /metrics requires; absent: /metrics is open (restrict it at the network). */
  metricsToken?: string;
  /**
   * A separate listener for /metrics (and /healthz, /readyz), off the public port; absent: served
   * on the public port, which in production needs metricsToken.
   */
  metricsListener?: { host: string; port: number };
  /** RFC 9116 security.txt; absent without SECURITY_CONTACT. */
  securityTxt?: { contact: string[]; policy?: string };
  /** Origins besides each client's own that may call the token, userinfo, revocation and introspection endpoints from a browser. */
  corsOrigins: string[];
}

export interface SecuritySettings {
  /** How many reverse proxies append to X-Forwarded-For (read from the right; with TRUST_PROXY only). */
  trustProxyHops: number;
  security: SecurityConfig;
  /** Signatures a challenge accepts before it is spent. */
  challengeMaxAttempts: number;
}

export function readSecurity(read: EnvReader, production: boolean): SecuritySettings {
  const { problems } = read;
  const get = read.text;
  /** "N/DURATION" or "off" (the limit is off: undefined). */
  const rateLimit = (name: string, fallback: RateLimit): RateLimit | undefined => {
    const text = get(name);
    if (text === undefined) return fallback;
    if (OFF.test(text)) return undefined;
    const match = /^(\d{1,7})\s*\/\s*(.+)$/.exec(text);
    const seconds = match ? parseDuration(match[2]!) : undefined;
    if (!match || Number(match[1]) < 1 || seconds === undefined || seconds < 1) {
      problems.push(`${name} must be "N/DURATION" (at most N requests per DURATION, e.g. 20/1m or 300/1h) or "off" (got "${text}")`);
      return fallback;
    }
    return { points: Number(match[1]), durationSeconds: seconds };
  };

  // A limit per address is gone for good: it let anyone keep an address's owner out by
  // posting wrong signatures naming it (SECURITY.md, "Repeated failures"). An operator who set
  // it expects a protection that no longer exists, so say so instead of ignoring it.
  if (get('RATE_LIMIT_SIGNIN_ADDRESS') !== undefined) {
    problems.push(
      'RATE_LIMIT_SIGNIN_ADDRESS no longer exists: a limit per address let anyone keep its owner from signing in. Remove it; RATE_LIMIT_SIGNIN_IP and CHALLENGE_MAX_ATTEMPTS bound the attempts, and FAILURE_ALERT_THRESHOLD alerts on failures naming one address',
    );
  }

  const webhookUrl = get('ALERT_WEBHOOK_URL');
  if (webhookUrl) {
    const parsed = httpUrl(webhookUrl);
    if (!parsed) {
      problems.push('ALERT_WEBHOOK_URL must be an http(s) URL that accepts a JSON POST');
    } else if (production && parsed.protocol !== 'https:') {
      problems.push('ALERT_WEBHOOK_URL must be https in production: alerts name client IPs and addresses');
    }
  }

  const metricsToken = get('METRICS_TOKEN');
  const metricsPortText = get('METRICS_PORT');
  let metricsListener: SecurityConfig['metricsListener'];
  if (metricsPortText !== undefined) {
    const port = Number(metricsPortText);
    if (!/^\d+$/.test(metricsPortText) || port < 1 || port > 65535)
      problems.push(`METRICS_PORT must be a port number from 1 to 65535 (got "${metricsPortText}")`);
    else if (port === Number(get('PORT') ?? 3000))
      problems.push(`METRICS_PORT must differ from PORT (${port}): metrics get a listener of their own`);
    else metricsListener = { host: get('METRICS_HOST') ?? get('HOST') ?? '127.0.0.1', port };
  } else if (get('METRICS_HOST') !== undefined) {
    problems.push('METRICS_HOST is set but METRICS_PORT is not: set METRICS_PORT for the metrics listener');
  }
  const securityContact = read.list('SECURITY_CONTACT');
  for (const contact of securityContact) {
    // RFC 9116 §2.5.3: a URI; mailto:, https: or tel:.
    if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+|tel:\+?[0-9-]+)$/.test(contact)) {
      problems.push(
        `SECURITY_CONTACT: "${contact}" must be a mailto:, https:// or tel: URI (RFC 9116 §2.5.3), e.g. mailto:security@example.com`,
      );
    }
  }
  const securityPolicy = get('SECURITY_POLICY_URL');
  if (securityPolicy !== undefined && !/^https:\/\/\S+$/.test(securityPolicy))
    problems.push(`SECURITY_POLICY_URL must be an https:// URL (got "${securityPolicy}")`);
  if (securityPolicy !== undefined && securityContact.length === 0)
    problems.push('SECURITY_POLICY_URL is set but SECURITY_CONTACT is not: security.txt needs a contact (RFC 9116 §2.5.3)');
  if (metricsToken !== undefined && metricsToken.length < 32) {
    problems.push(
      'METRICS_TOKEN must be at least 32 random characters (e.g. `openssl rand -hex 32`); Prometheus sends it as a bearer token',
    );
  }

  const corsOrigins: string[] = [];
  for (const entry of read.list('CORS_ORIGINS')) {
    const parsed = httpUrl(entry);
    // An origin is scheme, host and port only (RFC 6454 §6.2): it must equal the browser's
    // Origin header, so anything more could never match.
    if (!parsed || parsed.origin !== entry.replace(/\/$/, '')) {
      problems.push(
        `CORS_ORIGINS: "${entry}" is not an origin such as https://app.example.com (scheme, host and port only; "*" is not allowed)`,
      );
      continue;
    }
    corsOrigins.push(parsed.origin);
  }

  return {
    trustProxyHops: read.integer('TRUST_PROXY_HOPS', 1, { min: 1, max: 10 }),
    security: {
      rateLimits: {
        challenge: rateLimit('RATE_LIMIT_CHALLENGE', { points: 30, durationSeconds: 60 }),
        signinPerIp: rateLimit('RATE_LIMIT_SIGNIN_IP', { points: 20, durationSeconds: 60 }),
        token: rateLimit('RATE_LIMIT_TOKEN', { points: 300, durationSeconds: 60 }),
        registration: rateLimit('RATE_LIMIT_REGISTRATION', { points: 10, durationSeconds: 3600 }),
        // Generous: everyone of an office behind one NAT opens sign-ins from the same address.
        authorization: rateLimit('RATE_LIMIT_AUTHORIZATION', { points: 300, durationSeconds: 60 }),
        // A waiting login page polls once a second when it has no event stream.
        status: rateLimit('RATE_LIMIT_STATUS', { points: 600, durationSeconds: 60 }),
        // Guessing a user code from many IPs at once: 300 wrong codes in 10 minutes across the
        // service leave a live code among 20^8 unguessed (RFC 8628 §5.1).
        userCodeGuesses: rateLimit('RATE_LIMIT_USER_CODE_GUESSES', { points: 300, durationSeconds: 600 }),
      },
      eventStreams: {
        perIp: read.integer('EVENT_STREAMS_PER_IP', 20, { min: 1, max: 100_000 }),
        total: read.integer('EVENT_STREAMS_MAX', 1000, { min: 1, max: 1_000_000 }),
      },
      failures: {
        threshold: read.integer('FAILURE_ALERT_THRESHOLD', 10, { min: 1, max: 1_000_000 }),
        windowSeconds: read.duration('FAILURE_WINDOW', 15 * 60),
        // Short outside production, where a developer's own typos are what locks them out.
        lockoutSeconds: read.duration('FAILURE_LOCKOUT', production ? 15 * 60 : 60, { off: true }),
        ...(webhookUrl ? { webhookUrl } : {}),
      },
      metricsToken,
      ...(metricsListener ? { metricsListener } : {}),
      ...(securityContact.length > 0
        ? { securityTxt: { contact: securityContact, ...(securityPolicy ? { policy: securityPolicy } : {}) } }
        : {}),
      corsOrigins,
    },
    challengeMaxAttempts: read.integer('CHALLENGE_MAX_ATTEMPTS', 5, { min: 1, max: 100 }),
  };
}
