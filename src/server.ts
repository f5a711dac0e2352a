/**
 * Entry point: configuration -> secrets -> storage -> app -> listen, and a graceful stop on
 * SIGTERM/SIGINT (stop accepting, finish what is in flight, close Redis, exit 0).
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { loadConfig, ConfigError, type Config } from './config/index.js';
import { resolveSecrets } from './dev-secrets.js';
import { createLogger, prettyDestination, stdoutDestination } from './logger.js';
import { startNotice } from './start-notice.js';
import { createProduct, checkClients } from './product/index.js';
import { makeDrainable } from './shutdown.js';
import { watchConfiguration } from './reload.js';
import { describeRedisTarget } from './config/redis-url.js';
import { tuneHeapGrowth } from './heap-growth.js';

async function main(): Promise<void> {
  tuneHeapGrowth();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Readable lines in a development terminal; JSON for log collectors and in production.
  const pretty = (config.logFormat ?? (config.env !== 'production' && process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const logger = createLogger(config.logLevel, pretty ? prettyDestination() : stdoutDestination());
  const secrets = await resolveSecrets(config);
  if (secrets.generated.length > 0) {
    logger.warn(
      { generated: secrets.generated },
      'development keys generated and kept on disk; configure JWKS and COOKIE_KEYS for production',
    );
  }
  if (!config.redis) {
    // Once, in the log (a readable line in a terminal): the same words on stderr as well were
    // the same warning twice on the screen.
    logger.warn(
      { store: 'memory' },
      '*** IN-MEMORY STORE: sessions, tokens and challenges live in this process only and are lost on restart. Set REDIS_URL for anything but a local trial. ***',
    );
  }

  const product = await createProduct(config, secrets, { logger });
  const staticClients = (c: Config) => [...c.clients, ...(c.demo ? [{ client_id: 'demo' }] : [])];
  const clientProblems = await checkClients(product.provider, staticClients(config), config.protocol.outbound);
  if (clientProblems.length > 0) {
    process.stderr.write(`Invalid client configuration:\n${clientProblems.map((p) => `  - ${p}`).join('\n')}\n`);
    await product.close();
    process.exit(2);
  }

  // The handlers of the product serving now: a reload of the clients or keys swaps them.
  let handle = product.app.callback();
  let metricsHandle = product.metricsApp?.callback();
  const server = createServer(httpOptions(config), (req, res) => handle(req, res));
  const live = watchConfiguration({
    initial: product,
    config,
    logger,
    load: () => loadConfig(),
    secrets: resolveSecrets,
    check: (next, nextConfig) => checkClients(next.provider, staticClients(nextConfig), nextConfig.protocol.outbound),
    swapped: (next) => {
      handle = next.app.callback();
      metricsHandle = next.metricsApp?.callback();
    },
    retireAfterMs: config.shutdownTimeout * 1000,
  });
  server.keepAliveTimeout = config.keepAliveTimeout * 1000;
  const drainable = makeDrainable(server);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  // Prometheus and probes on a port of their own, never exposed by the proxy (docs/monitoring.md).
  const metricsServer =
    product.metricsApp && config.security.metricsListener
      ? createServer(httpOptions(config), (req, res) => metricsHandle!(req, res))
      : undefined;
  if (metricsServer) {
    metricsServer.listen(config.security.metricsListener!.port, config.security.metricsListener!.host);
    await once(metricsServer, 'listening');
    logger.info(
      { host: config.security.metricsListener!.host, port: config.security.metricsListener!.port },
      'metrics listener: /metrics, /healthz, /readyz',
    );
  }
  logger.info(
    {
      issuer: config.issuer.href,
      host: config.host,
      port: config.port,
      network: config.network,
      store: config.redis ? describeRedisTarget(config.redis) : 'memory',
    },
    'Evrmore Accounts is listening',
  );
  if (config.env === 'production' && !config.security.metricsToken && !config.security.metricsListener) {
    logger.warn('/metrics is not served: in production it needs METRICS_TOKEN, or a listener of its own on METRICS_PORT');
  }
  if (config.env === 'production' && !config.security.securityTxt) {
    logger.warn(
      '/.well-known/security.txt is not served: set SECURITY_CONTACT (e.g. mailto:security@example.com) so that researchers can reach you (RFC 9116)',
    );
  }
  const notice = startNotice(config);
  logger.info(`open in a browser: ${Object.values(notice.urls).join('  ')}`);
  if (notice.lan) logger.info(notice.lan);

  // SIGTERM (docker stop, Kubernetes) and SIGINT (Ctrl-C): stop accepting, finish what is in
  // flight, close Redis, exit 0; SHUTDOWN_TIMEOUT bounds the wait, below docker stop's 10 s.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: drainable.inFlight() }, 'shutting down: no new connections, finishing requests in flight');
    const forced = setTimeout(() => {
      logger.error(
        { inFlight: drainable.inFlight(), timeoutSeconds: config.shutdownTimeout },
        'requests still in flight after SHUTDOWN_TIMEOUT; exiting',
      );
      process.exit(1);
    }, config.shutdownTimeout * 1000);
    forced.unref();
    live.stop();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    await drainable.drain();
    await live.current().close();
    clearTimeout(forced);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Bounds on how long a client may take to send its request (slowloris): HTTP_REQUEST_TIMEOUT for
 * headers and body, HTTP_HEADERS_TIMEOUT for the headers; checked every second instead of Node's
 * 30 s, so a timeout holds to the second.
 */
function httpOptions(config: { requestTimeout: number; headersTimeout: number }) {
  return { requestTimeout: config.requestTimeout * 1000, headersTimeout: config.headersTimeout * 1000, connectionsCheckingInterval: 1000 };
}

main().catch((error: unknown) => {
  process.stderr.write(`Evrmore Accounts could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
