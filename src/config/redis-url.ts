/**
 * Where the product's Redis is, parsed from REDIS_URL (pure: no I/O, no environment).
 *
 * One variable covers every topology, so "REDIS_URL is required in production" stays one rule
 * and a password never has to be split from the address it belongs to:
 *
 *   redis://[[user]:password@]host[:port][/db]             one server (rediss:// for TLS)
 *   redis+sentinel://[[user]:password@]s1[:port],s2[:port]/master-name[/db]
 *                                                          Sentinel; the credentials are the data
 *                                                          nodes' (REDIS_SENTINEL_PASSWORD is the
 *                                                          sentinels' own); rediss+sentinel:// for TLS
 *   redis+cluster://[[user]:password@]n1[:port],n2[:port]  Cluster seed nodes; rediss+cluster:// for TLS
 *
 * Hosts may be names, IPv4 or bracketed IPv6 addresses. A password with reserved characters
 * (`@`, `:`, `/`, `,`, `%`) must be percent-encoded, as in any URL (RFC 3986 §3.2.1).
 */
export interface RedisNode {
  host: string;
  port: number;
}

export interface RedisCredentials {
  username?: string;
  password?: string;
}

export type RedisTarget =
  | ({ kind: 'standalone'; node: RedisNode; db: number; tls: boolean } & RedisCredentials)
  | ({
      kind: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      db: number;
      tls: boolean;
      sentinelPassword?: string;
    } & RedisCredentials)
  | ({ kind: 'cluster'; nodes: RedisNode[]; tls: boolean } & RedisCredentials);

const SCHEMES: Record<string, { kind: RedisTarget['kind']; tls: boolean; defaultPort: number }> = {
  'redis:': { kind: 'standalone', tls: false, defaultPort: 6379 },
  'rediss:': { kind: 'standalone', tls: true, defaultPort: 6379 },
  'redis+sentinel:': { kind: 'sentinel', tls: false, defaultPort: 26379 },
  'rediss+sentinel:': { kind: 'sentinel', tls: true, defaultPort: 26379 },
  'redis+cluster:': { kind: 'cluster', tls: false, defaultPort: 6379 },
  'rediss+cluster:': { kind: 'cluster', tls: true, defaultPort: 6379 },
};

export const REDIS_URL_FORMS =
  'redis://[:password@]host[:port][/db], rediss://… (TLS), redis+sentinel://[:password@]host[:port],…/master-name[/db] or redis+cluster://[:password@]host[:port],… (rediss+… for TLS)';

/**
 * Parses REDIS_URL. Problems name the variable and never repeat the URL, which may hold a password.
 */
export function parseRedisUrl(text: string, sentinelPassword?: string): { target?: RedisTarget; problems: string[] } {
  const problems: string[] = [];
  const fail = (message: string) => {
    problems.push(`REDIS_URL ${message}`);
    return { problems };
  };

  const schemeEnd = text.indexOf('://');
  const scheme = schemeEnd > 0 ? `${text.slice(0, schemeEnd).toLowerCase()}:` : '';
  const form = SCHEMES[scheme];
  if (!form) return fail(`must be one of ${REDIS_URL_FORMS} (got ${scheme ? `"${scheme}//…"` : 'no scheme'})`);

  const rest = text.slice(schemeEnd + 3);
  const queryAt = rest.search(/[?#]/);
  if (queryAt !== -1)
    return fail(
      'must not have a query or fragment: every setting has its own variable (percent-encode ? and # in a password as %3F and %23)',
    );
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);

  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hostList = at === -1 ? authority : authority.slice(at + 1);

  const credentials: RedisCredentials = {};
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    const password = colon === -1 ? undefined : userinfo.slice(colon + 1);
    if (password === undefined) {
      return fail('has a user name but no password: write redis://:password@host for a password alone, or redis://user:password@host');
    }
    try {
      if (user) credentials.username = decodeURIComponent(user);
      if (password) credentials.password = decodeURIComponent(password);
    } catch {
      return fail('has a badly percent-encoded user or password (encode @ : / , % as %40 %3A %2F %2C %25)');
    }
  }

  const nodes: RedisNode[] = [];
  for (const entry of hostList.split(',')) {
    const node = parseNode(entry.trim(), form.defaultPort);
    if (typeof node === 'string') return fail(node);
    nodes.push(node);
  }
  if (form.kind === 'standalone' && nodes.length > 1) {
    return fail('lists several hosts: use redis+sentinel:// or redis+cluster:// for more than one server');
  }

  const segments = path === '' ? [] : path.split('/');
  const dbOf = (segment: string | undefined): number | string => {
    if (segment === undefined || segment === '') return 0;
    if (!/^\d{1,5}$/.test(segment)) return `database must be a number (got "${segment}")`;
    return Number(segment);
  };

  if (sentinelPassword !== undefined && form.kind !== 'sentinel') {
    problems.push('REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not a redis+sentinel:// URL');
  }

  if (form.kind === 'standalone') {
    if (segments.length > 1) return fail('path must be only the database number, e.g. redis://host:6379/0');
    const db = dbOf(segments[0]);
    if (typeof db === 'string') return fail(db);
    return { target: { kind: 'standalone', node: nodes[0]!, db, tls: form.tls, ...credentials }, problems };
  }
  if (form.kind === 'sentinel') {
    const masterName = segments[0] ? safeDecode(segments[0]) : undefined;
    if (!masterName)
      return fail('for Sentinel must name the master group after the hosts, e.g. redis+sentinel://s1:26379,s2:26379/mymaster');
    if (segments.length > 2) return fail('for Sentinel must be …/master-name or …/master-name/db');
    const db = dbOf(segments[1]);
    if (typeof db === 'string') return fail(db);
    return {
      target: {
        kind: 'sentinel',
        sentinels: nodes,
        masterName,
        db,
        tls: form.tls,
        ...credentials,
        ...(sentinelPassword ? { sentinelPassword } : {}),
      },
      problems,
    };
  }
  // Redis Cluster has only database 0 (Redis Cluster specification, "Implemented subset").
  if (segments.length > 1 || (segments[0] !== undefined && segments[0] !== '' && segments[0] !== '0')) {
    return fail('for Cluster must not select a database: Redis Cluster only has database 0');
  }
  return { target: { kind: 'cluster', nodes, tls: form.tls, ...credentials }, problems };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseNode(entry: string, defaultPort: number): RedisNode | string {
  if (entry === '') return 'has an empty host (check the commas and the part before the first /)';
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) return `has an unclosed IPv6 bracket in "${entry}"`;
    host = entry.slice(1, close);
    const after = entry.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return `has junk after the IPv6 address in "${entry}"`;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return `has an invalid host "${host}" (a name, an IPv4 address or [IPv6])`;
  }
  if (portText === undefined) return { host, port: defaultPort };
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) return `has an invalid port "${portText}" for host ${host}`;
  return { host, port };
}

/** For logs and `config check`: the topology and addresses, never credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(', ');
  const tls = target.tls ? ', TLS' : '';
  switch (target.kind) {
    case 'standalone':
      return `redis ${list([target.node])}/${target.db}${tls}`;
    case 'sentinel':
      return `redis sentinel "${target.masterName}" via ${list(target.sentinels)}, db ${target.db}${tls}`;
    case 'cluster':
      return `redis cluster via ${list(target.nodes)}${tls}`;
  }
}
