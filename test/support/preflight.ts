/**
 * The programs the suite runs that npm cannot install: Debian's redis-server and chromium. A
 * machine without one gets one message naming the package (and CHROMIUM_PATH) before any test
 * starts, instead of every browser or Redis test failing in its own way.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => executable(join(dir, program)));
}

/** What is missing, one sentence each saying how to get it; empty when all is there. */
export function missingPrograms(env: NodeJS.ProcessEnv = process.env): string[] {
  const missing: string[] = [];
  if (!onPath('redis-server', env)) {
    missing.push('redis-server is not on PATH: install the Debian package redis-server (apt-get install redis-server).');
  }
  const chromium = chromiumPath(env);
  if (!executable(chromium)) {
    missing.push(
      env.CHROMIUM_PATH
        ? `Chromium is not at CHROMIUM_PATH (${chromium}): point CHROMIUM_PATH at a Chromium binary, or unset it and install the Debian package chromium (apt-get install chromium).`
        : `Chromium is not at ${chromium}: install the Debian package chromium (apt-get install chromium), or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return missing;
}

/** An error that vitest shows as its message only: a stack into this file would add nothing. */
export class MissingProgramError extends Error {
  constructor(missing: string[]) {
    super(`The test suite cannot run on this machine. ${missing.join(' ')}`);
    this.name = 'MissingProgramError';
    this.stack = `${this.name}: ${this.message}`;
  }
}
