/**
 * What a command receives instead of touching the process: the command logic is then a plain
 * function of its inputs, testable without spawning a process, and src/cli.ts is only wiring.
 */
export type Env = Record<string, string | undefined>;

export interface CliContext {
  /** Undefined: the process environment, which only src/config/ reads. */
  env?: Env;
  /** Base of relative file paths; undefined: the process's working directory. */
  cwd?: string;
  /** Standard input, read only when a command asks for it, since a terminal would block. */
  stdin(): Promise<string>;
  fetch: typeof fetch;
  /** Standard output, for data a script may read; the sink ends each call with a newline. */
  out(text: string): void;
  /** Standard error, for notes and errors; the sink ends each call with a newline. */
  err(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A bad or missing argument: the caller prints the message and the usage hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Anything else that stops a command: a one-line reason, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
