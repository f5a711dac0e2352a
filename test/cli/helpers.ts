import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import type { Env } from '../../src/cli/context.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** How many times the command read standard input. */
  stdinReads: number;
}

export interface RunOptions {
  /** Defaults to an empty environment: a test never sees the developer's EVRMORE_WIF. */
  env?: Env;
  stdin?: string;
  fetch?: typeof fetch;
  cwd?: string;
}

export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  let stdinReads = 0;
  const code = await runCli(argv, {
    env: options.env ?? {},
    cwd: options.cwd,
    stdin: async () => {
      stdinReads += 1;
      return options.stdin ?? '';
    },
    fetch:
      options.fetch ??
      (async () => {
        throw new Error('this test makes no HTTP request');
      }),
    out: (text) => out.push(`${text}\n`),
    err: (text) => err.push(`${text}\n`),
  });
  return { code, stdout: out.join(''), stderr: err.join(''), stdinReads };
}

/** A fresh directory, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'evr-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** No Node stack frame ("    at fn (file:line)") ever reaches the operator. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+/m.test(text);
}

/** Public test keys (test/evrmore/vectors.ts): never fund them. */
export const MAINNET_WIF = 'KwS1DUSPM5vGQ1b5XCd1BaQrKyDc2sfKr6eGFwdQrmX1MhkYor83';
export const MAINNET_ADDRESS = 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM';
export const TESTNET_WIF = 'cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N';
export const TESTNET_ADDRESS = 'mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB';
