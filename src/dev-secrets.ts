/**
 * Outside production, missing signing and cookie keys are generated once and kept in
 * DATA_DIR, so a restart of the development server invalidates neither tokens nor sessions.
 * The file is created 0600 and its content is never logged.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, JsonWebKeySet } from './config/index.js';
import { generateCookieKey, generateJwks } from './keys.js';

interface DevSecrets {
  jwks: JsonWebKeySet;
  cookieKeys: string[];
  pairwiseSalt?: string;
}

export interface Secrets {
  jwks: JsonWebKeySet;
  cookieKeys: string[];
  /** Absent in production unless PAIRWISE_SALT is set: then only public subjects are offered. */
  pairwiseSalt?: string;
  /** What was generated (for the start-up notice; names only). */
  generated: string[];
}

export async function resolveSecrets(config: Config): Promise<Secrets> {
  const configuredSalt = config.protocol.pairwiseSalt;
  if (config.jwks && config.cookieKeys && (configuredSalt || config.env === 'production')) {
    return { jwks: config.jwks, cookieKeys: config.cookieKeys, pairwiseSalt: configuredSalt, generated: [] };
  }
  if (config.env === 'production') throw new Error('production configuration without keys: loadConfig should have refused it');

  const file = join(config.dataDir, 'dev-secrets.json');
  let stored: DevSecrets | undefined;
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as DevSecrets;
  } catch {
    stored = undefined;
  }
  if (!stored?.jwks?.keys?.length || !stored.cookieKeys?.length || !stored.pairwiseSalt) {
    stored = {
      jwks: stored?.jwks?.keys?.length ? stored.jwks : await generateJwks('RS256'),
      cookieKeys: stored?.cookieKeys?.length ? stored.cookieKeys : [generateCookieKey()],
      pairwiseSalt: generateCookieKey(),
    };
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(stored), { mode: 0o600 });
  }
  const generated = [...(config.jwks ? [] : [`signing keys (${file})`]), ...(config.cookieKeys ? [] : [`cookie keys (${file})`])];
  return {
    jwks: config.jwks ?? stored.jwks,
    cookieKeys: config.cookieKeys ?? stored.cookieKeys,
    pairwiseSalt: configuredSalt ?? stored.pairwiseSalt,
    generated,
  };
}
