/**
 * The readers every configuration topic uses: one for each kind of value (text, whole number,
 * switch, duration, list, choice, JSON file). A reader never throws: a bad value adds a problem
 * that names the variable and what it got, and the fallback stands in, so that loadConfig can
 * report every mistake of a deployment at once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../duration.js';

/** Environment variables by name, as the process has them. */
export type Env = Record<string, string | undefined>;

export interface DurationBounds {
  /** Seconds; 1 unless given. */
  min?: number;
  /** Seconds; unbounded unless given. */
  max?: number;
  /** "off", "false" or "0" turn the feature off: the duration is 0. */
  off?: boolean;
}

export interface EnvReader {
  /** Every problem found so far, in the order found. */
  readonly problems: string[];
  /** The directory relative file names are resolved against. */
  readonly cwd: string;
  /** The trimmed value; undefined when unset or blank. */
  text(name: string): string | undefined;
  /** A whole number within [min, max]. */
  integer(name: string, fallback: number, bounds: { min: number; max: number }): number;
  /** true/yes/on/1 or false/no/off/0, in any case. */
  boolean(name: string, fallback: boolean): boolean;
  /** Seconds, or a number with s, m, h or d (see DurationBounds). */
  duration(name: string, fallback: number, bounds?: DurationBounds): number;
  /** Comma-separated entries, trimmed, blanks dropped; unset: []. */
  list(name: string): string[];
  /** One of `choices`, exactly as written. */
  choice<T extends string, F extends T | undefined>(name: string, choices: readonly T[], fallback: F): T | F;
  /** The parsed JSON of the file `path` (relative to cwd); undefined after a problem. */
  jsonFile(name: string, path: string): unknown;
}

/** "off", "false" or "0": a feature turned off. */
export const OFF = /^(off|false|0)$/i;

/** "a, b or c". */
export function alternatives(choices: readonly string[]): string {
  return choices.length <= 1 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** JSON.parse that reports a syntax error as a problem of `what` instead of throwing. */
export function parseJson(text: string, what: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${what} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

/** Absolute http(s) URL, or undefined. */
export function httpUrl(text: string): URL | undefined {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : undefined;
}

export function envReader(env: Env, cwd: string, problems: string[] = []): EnvReader {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    problems,
    cwd,
    text,
    integer(name, fallback, { min, max }) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
        return fallback;
      }
      return Number(value);
    },
    boolean(name, fallback) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      problems.push(`${name} must be true or false (got "${value}")`);
      return fallback;
    },
    duration(name, fallback, { min = 1, max = Infinity, off = false } = {}) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (off && OFF.test(value)) return 0;
      const seconds = parseDuration(value);
      if (seconds !== undefined && seconds >= min && seconds <= max) return seconds;
      const range = max === Infinity && min === 1 ? 'a positive duration' : `a duration from ${min}s to ${max}s`;
      problems.push(`${name} must be ${range}: seconds, or a number with s, m, h or d${off ? ', or "off"' : ''} (got "${value}")`);
      return fallback;
    },
    list(name) {
      return (text(name) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
    },
    choice(name, choices, fallback) {
      const value = text(name);
      if (value === undefined) return fallback;
      if ((choices as readonly string[]).includes(value)) return value as (typeof choices)[number];
      problems.push(`${name} must be ${alternatives(choices)} (got "${value}")`);
      return fallback;
    },
    jsonFile(name, path) {
      let content: string;
      try {
        content = readFileSync(resolve(cwd, path), 'utf8');
      } catch (error) {
        problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        return undefined;
      }
      return parseJson(content, `${name} (${path})`, problems);
    },
  };
}
