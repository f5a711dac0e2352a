/**
 * Apache httpd with mod_auth_openidc (Debian apache2, libapache2-mod-auth-openidc) as a
 * relying party: a foreground httpd on a free loopback port with its own ServerRoot and
 * configuration in a temporary directory (no system service), protecting /protected/ in front
 * of a small echo backend that shows what the module passed on.
 */
import { spawn } from 'node:child_process';
import { waitForPort } from '../support/redis-server.js';
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const HTTPD = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

export interface ApacheRp {
  origin: string;
  redirectUri: string;
  loggedOutUrl: string;
  /** The last request headers the backend received (lower-cased names). */
  backendRequests: Array<Record<string, string>>;
  /** The end of httpd's error log, for failure messages: what the module saw. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface ApacheOptions {
  port: number;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Directives added to the mod_auth_openidc configuration (OIDCScope, OIDCAuthRequestParams…). */
  directives: string[];
}

/** The echo backend behind the proxy: answers each request with the headers it got. */
async function startBackend(requests: Array<Record<string, string>>): Promise<Server> {
  const server = createServer((request, response) => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    requests.push(headers);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ path: request.url, headers }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

export async function startApache(options: ApacheOptions): Promise<ApacheRp> {
  const dir = mkdtempSync(join(tmpdir(), 'evr-apache-'));
  // httpd's children drop to www-data when started as root: they must read the config and pages.
  chmodSync(dir, 0o755);
  const origin = `http://127.0.0.1:${options.port}`;
  const redirectUri = `${origin}/protected/redirect_uri`;
  const loggedOutUrl = `${origin}/loggedout.html`;
  const backendRequests: Array<Record<string, string>> = [];
  const backend = await startBackend(backendRequests);
  const backendPort = (backend.address() as AddressInfo).port;
  writeFileSync(join(dir, 'loggedout.html'), '<p>signed out</p>\n');
  const runAsRoot = userInfo().uid === 0;
  const conf = [
    `ServerRoot "${dir}"`,
    `ServerName 127.0.0.1`,
    `Listen 127.0.0.1:${options.port}`,
    `PidFile "${dir}/httpd.pid"`,
    `DefaultRuntimeDir "${dir}"`,
    `Mutex file:${dir} default`,
    `ErrorLog "${dir}/error.log"`,
    `LogLevel warn auth_openidc:info`,
    ...(runAsRoot ? ['User www-data', 'Group www-data'] : []),
    ...['mpm_event', 'authn_core', 'authz_core', 'authz_user', 'headers', 'proxy', 'proxy_http', 'auth_openidc'].map(
      (m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`,
    ),
    'StartServers 1',
    'ServerLimit 1',
    'ThreadsPerChild 8',
    'MaxRequestWorkers 8',
    `DocumentRoot "${dir}"`,
    '',
    `OIDCProviderMetadataURL ${options.issuer}/.well-known/openid-configuration`,
    `OIDCClientID ${options.clientId}`,
    `OIDCClientSecret ${options.clientSecret}`,
    `OIDCRedirectURI ${redirectUri}`,
    `OIDCCryptoPassphrase interop-suite-passphrase-${process.pid}`,
    `OIDCInfoHook access_token access_token_expires refresh_token id_token userinfo`,
    // The provider requires PKCE of every client; mod_auth_openidc 2.4 sends it only when asked.
    'OIDCPKCEMethod S256',
    ...options.directives,
    '',
    'ProxyPass /protected/redirect_uri !',
    `ProxyPass /protected/ http://127.0.0.1:${backendPort}/`,
    '<Location /protected/>',
    '  AuthType openid-connect',
    '  Require valid-user',
    // The claims as environment variables too (OIDCPassClaimsAs both, the default), shown here.
    '  Header always set X-Env-Claim-Sub "%{OIDC_CLAIM_sub}e"',
    '  Header always set X-Remote-User "expr=%{REMOTE_USER}"',
    '</Location>',
    '',
  ].join('\n');
  const confFile = join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '(no error log)';
    }
  };
  const child = spawn(HTTPD, ['-d', dir, '-f', confFile, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  try {
    await waitForPort(options.port, child, 15_000, 'apache2');
  } catch (error) {
    child.kill('SIGKILL');
    backend.close();
    throw new Error(`${(error as Error).message}: ${stderr}\n${errorLog()}`);
  }
  return {
    origin,
    redirectUri,
    loggedOutUrl,
    backendRequests,
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      backend.closeAllConnections();
      backend.close();
    },
  };
}
