/**
 * Clients and signing keys changed without a restart (docs/deploying.md, "Live changes"). Each
 * instance reads CLIENTS_FILE and JWKS_FILE every CONFIG_WATCH_INTERVAL seconds; when their
 * content changed, or a staged key's time to sign has come, it loads the whole configuration
 * again, assembles the product anew on the same Redis and storage, checks every client, and
 * only then swaps the request handler. A configuration that does not load keeps the last good
 * one serving, with one error in the log per faulty content.
 *
 * Files are read by path each time, never watched by inode: editors and the CLI replace a file
 * by rename, and Kubernetes swaps a mounted ConfigMap or Secret through a symlink.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config/index.js';
import type { Secrets } from './dev-secrets.js';
import { nextKeyChange } from './keys.js';
import type { Product } from './product/index.js';

export interface LiveProduct {
  /** The product serving now. */
  current(): Product;
  stop(): void;
}

export interface ReloadDeps {
  initial: Product;
  config: Config;
  logger: Logger;
  /** Loads and validates the configuration again (throws ConfigError). */
  load(): Config;
  secrets(config: Config): Promise<Secrets>;
  /** Problems of the new product's clients (checkClients); empty when all load. */
  check(product: Product, config: Config): Promise<string[]>;
  /** Called with the new product once it serves. */
  swapped(product: Product): void;
  /** How long a replaced product stays up for the requests it is still answering. */
  retireAfterMs: number;
  cwd?: string;
}

async function fingerprint(files: string[], cwd: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    try {
      hash.update(await readFile(resolve(cwd, file)));
    } catch (error) {
      hash.update(`unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

function watchedFiles(config: Config): string[] {
  return [config.clientsFile, config.jwksFile].filter((file): file is string => file !== undefined);
}

export function watchConfiguration(deps: ReloadDeps): LiveProduct {
  const cwd = deps.cwd ?? process.cwd();
  let product = deps.initial;
  let config = deps.config;
  let seen: string | undefined;
  let busy = false;
  let stopped = false;
  /** When the product serving now was assembled: staged keys due since then call for a reload. */
  let lastBuilt = Date.now() / 1000;

  const reload = async (): Promise<void> => {
    let next: Config;
    try {
      next = deps.load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      deps.logger.error(
        { event: 'config.reload_failed', problems: error.problems },
        'configuration files changed but do not load: still serving the last good configuration',
      );
      return;
    }
    const nextProduct = await product.reconfigure(next, await deps.secrets(next));
    const problems = await deps.check(nextProduct, next);
    if (problems.length > 0) {
      await nextProduct.retire();
      deps.logger.error(
        { event: 'config.reload_failed', problems },
        'configuration files changed but a client does not load: still serving the last good configuration',
      );
      return;
    }
    const previous = product;
    product = nextProduct;
    config = next;
    deps.swapped(nextProduct);
    deps.logger.info(
      {
        event: 'config.reloaded',
        clients: next.clients.length,
        keys: next.jwks?.keys.map((key) => key.kid),
      },
      'configuration reloaded',
    );
    setTimeout(() => void previous.retire().catch(() => undefined), deps.retireAfterMs).unref();
  };

  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const now = await fingerprint(watchedFiles(config), cwd);
      // A staged key whose time has come changes the keys in effect without a file change.
      const due = config.jwks ? nextKeyChange(config.jwks, lastBuilt) : undefined;
      if (seen === undefined) {
        seen = now;
      } else if (now !== seen || (due !== undefined && due <= Date.now() / 1000)) {
        seen = now;
        lastBuilt = Date.now() / 1000;
        await reload();
      }
    } catch (error) {
      deps.logger.error(
        { event: 'config.reload_failed', error: (error as Error).message },
        'configuration reload failed: still serving the last good configuration',
      );
    } finally {
      busy = false;
    }
  };

  const interval = config.configWatchInterval * 1000;
  const timer = interval > 0 ? setInterval(() => void tick(), interval) : undefined;
  timer?.unref();
  void tick();
  return {
    current: () => product,
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
