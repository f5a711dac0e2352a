import { expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config.js';

/** An empty working folder, so no config/clients.json of the repository is picked up. */
export function configDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `evr-${name}-`));
}

/** The problems loadConfig reports for `env` (none: []), asserting they come as a ConfigError. */
export function configProblems(env: Record<string, string | undefined>, cwd: string): string[] {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}
