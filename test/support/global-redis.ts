import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server.js';
import { MissingProgramError, missingPrograms } from './preflight.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** Starts the run's own redis-server; tests read its URL with inject('redisUrl'). */
export default async function setup(project: TestProject) {
  // Before anything starts: a missing redis-server or Chromium stops the run with one message.
  const missing = missingPrograms();
  if (missing.length > 0) throw new MissingProgramError(missing);
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  return async () => {
    await server.stop();
  };
}
