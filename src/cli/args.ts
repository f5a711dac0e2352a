import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './context.js';

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Strict parsing: an unknown or misspelt option is an error rather than silently ignored,
 * which matters most for options such as --force or --public that change what gets written.
 */
export function parseOptions<const T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false; tokens: true }>>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    // parseArgs explains over several lines (for a value that starts with "-": write
    // --name=value); the whole explanation, on one line.
    throw new UsageError(error instanceof Error ? error.message.split('\n').join(' ') : String(error));
  }
  // parseArgs keeps the last of a repeated option; "--id a --id b" acting on b alone would
  // surprise, so a repeat is an error unless the option is meant to repeat.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once`);
    seen.add(token.name);
  }
  return parsed.values;
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}

export function required<V>(value: V | undefined, option: string): V {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) throw new UsageError(`missing ${option}`);
  return value;
}

export function oneOf<const A extends readonly string[]>(value: string, allowed: A, option: string): A[number] {
  const member = (x: string): x is A[number] => allowed.includes(x);
  if (!member(value)) throw new UsageError(`${option} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')} (got "${value}")`);
  return value;
}
