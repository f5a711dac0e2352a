import { expect } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';

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
