/**
 * The configuration's env readers: each takes good values, refuses bad ones with a problem that
 * names the variable and what it got (and keeps the fallback), and holds its bounds.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternatives, envReader, httpUrl, type Env } from '../../src/config/readers.js';

function reader(env: Env) {
  return envReader(env, '/');
}

describe('env readers', () => {
  it('text: trimmed, and blank counts as unset', () => {
    const read = reader({ A: '  value ', B: '   ', C: '' });
    expect(read.text('A')).toBe('value');
    expect(read.text('B')).toBeUndefined();
    expect(read.text('C')).toBeUndefined();
    expect(read.text('D')).toBeUndefined();
    expect(read.problems).toEqual([]);
  });

  it('integer: a whole number within its bounds, the fallback when unset', () => {
    const read = reader({ PORT: '8080', LOW: '0', HIGH: '65535' });
    expect(read.integer('PORT', 3000, { min: 0, max: 65535 })).toBe(8080);
    expect(read.integer('LOW', 3000, { min: 0, max: 65535 })).toBe(0);
    expect(read.integer('HIGH', 3000, { min: 0, max: 65535 })).toBe(65535);
    expect(read.integer('UNSET', 3000, { min: 0, max: 65535 })).toBe(3000);
    expect(read.problems).toEqual([]);
  });

  it('integer: refuses words, fractions, signs and values out of bounds, naming the variable', () => {
    const read = reader({ A: 'eighty', B: '1.5', C: '-1', D: '0', E: '11' });
    expect(read.integer('A', 7, { min: 1, max: 10 })).toBe(7);
    expect(read.integer('B', 7, { min: 1, max: 10 })).toBe(7);
    expect(read.integer('C', 7, { min: 1, max: 10 })).toBe(7);
    expect(read.integer('D', 7, { min: 1, max: 10 })).toBe(7);
    expect(read.integer('E', 7, { min: 1, max: 10 })).toBe(7);
    expect(read.problems).toEqual([
      'A must be a whole number from 1 to 10 (got "eighty")',
      'B must be a whole number from 1 to 10 (got "1.5")',
      'C must be a whole number from 1 to 10 (got "-1")',
      'D must be a whole number from 1 to 10 (got "0")',
      'E must be a whole number from 1 to 10 (got "11")',
    ]);
  });

  it('boolean: the usual spellings of on and off, in any case', () => {
    const on = ['1', 'true', 'TRUE', 'yes', 'On'];
    const off = ['0', 'false', 'False', 'no', 'OFF'];
    for (const value of on) expect(reader({ X: value }).boolean('X', false)).toBe(true);
    for (const value of off) expect(reader({ X: value }).boolean('X', true)).toBe(false);
    expect(reader({}).boolean('X', true)).toBe(true);
    const read = reader({ TRUST_PROXY: 'maybe' });
    expect(read.boolean('TRUST_PROXY', false)).toBe(false);
    expect(read.problems).toEqual(['TRUST_PROXY must be true or false (got "maybe")']);
  });

  it('duration: seconds or a number with a unit', () => {
    const read = reader({ A: '90', B: '90s', C: '15m', D: '2h', E: '1d' });
    expect(['A', 'B', 'C', 'D', 'E'].map((name) => read.duration(name, 1))).toEqual([90, 90, 900, 7200, 86400]);
    expect(read.duration('UNSET', 42)).toBe(42);
    expect(read.problems).toEqual([]);
  });

  it('duration: refuses what is not one, and zero unless a minimum of 0 allows it', () => {
    const read = reader({ A: 'soon', B: '0', C: '-5s' });
    expect(read.duration('A', 60)).toBe(60);
    expect(read.duration('B', 60)).toBe(60);
    expect(read.duration('C', 60)).toBe(60);
    expect(read.problems).toEqual([
      'A must be a positive duration: seconds, or a number with s, m, h or d (got "soon")',
      'B must be a positive duration: seconds, or a number with s, m, h or d (got "0")',
      'C must be a positive duration: seconds, or a number with s, m, h or d (got "-5s")',
    ]);
    expect(reader({ B: '0' }).duration('B', 60, { min: 0, max: 3600 })).toBe(0);
  });

  it('duration: holds its bounds, and "off" only where allowed', () => {
    const read = reader({ TIMEOUT: '61s', WINDOW: '2m', LOCKOUT: 'off' });
    expect(read.duration('TIMEOUT', 5, { min: 1, max: 60 })).toBe(5);
    expect(read.duration('WINDOW', 10, { max: 60, off: true })).toBe(10);
    expect(read.duration('LOCKOUT', 60, { off: true })).toBe(0);
    expect(read.duration('LOCKOUT', 60)).toBe(60);
    expect(read.problems).toEqual([
      'TIMEOUT must be a duration from 1s to 60s: seconds, or a number with s, m, h or d (got "61s")',
      'WINDOW must be a duration from 1s to 60s: seconds, or a number with s, m, h or d, or "off" (got "2m")',
      'LOCKOUT must be a positive duration: seconds, or a number with s, m, h or d (got "off")',
    ]);
  });

  it('list: comma-separated, trimmed, without blanks; unset is empty', () => {
    const read = reader({ ORIGINS: ' https://a.example , ,https://b.example,', BLANK: ' , ' });
    expect(read.list('ORIGINS')).toEqual(['https://a.example', 'https://b.example']);
    expect(read.list('BLANK')).toEqual([]);
    expect(read.list('UNSET')).toEqual([]);
  });

  it('choice: one of the choices as written, else a problem listing them', () => {
    const read = reader({ NETWORK: 'testnet', WRONG: 'ravencoin', CASE: 'Mainnet' });
    expect(read.choice('NETWORK', ['mainnet', 'testnet'], 'mainnet')).toBe('testnet');
    expect(read.choice('UNSET', ['mainnet', 'testnet'], 'mainnet')).toBe('mainnet');
    expect(read.choice('UNSET', ['json', 'pretty'], undefined)).toBeUndefined();
    expect(read.choice('WRONG', ['mainnet', 'testnet'], 'mainnet')).toBe('mainnet');
    expect(read.choice('CASE', ['mainnet', 'testnet', 'regtest'], 'mainnet')).toBe('mainnet');
    expect(read.problems).toEqual([
      'WRONG must be mainnet or testnet (got "ravencoin")',
      'CASE must be mainnet, testnet or regtest (got "Mainnet")',
    ]);
    expect(alternatives(['one'])).toBe('one');
  });

  it('jsonFile: the parsed file, relative to cwd; a missing or broken file is a problem naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evr-readers-'));
    writeFileSync(join(dir, 'good.json'), '{"a":1}');
    writeFileSync(join(dir, 'bad.json'), '{ "a": ');
    const read = envReader({}, dir);
    expect(read.jsonFile('SOME_FILE', 'good.json')).toEqual({ a: 1 });
    expect(read.jsonFile('SOME_FILE', 'bad.json')).toBeUndefined();
    expect(read.jsonFile('SOME_FILE', 'absent.json')).toBeUndefined();
    expect(read.problems).toHaveLength(2);
    expect(read.problems[0]).toMatch(/^SOME_FILE \(bad\.json\) is not valid JSON: /);
    expect(read.problems[1]).toBe('SOME_FILE: cannot read absent.json (ENOENT)');
  });

  it('httpUrl: absolute http(s) URLs only', () => {
    expect(httpUrl('https://alerts.example.com/hook')?.href).toBe('https://alerts.example.com/hook');
    expect(httpUrl('http://127.0.0.1:8819')?.port).toBe('8819');
    expect(httpUrl('ftp://x')).toBeUndefined();
    expect(httpUrl('not a url')).toBeUndefined();
    expect(httpUrl('/relative')).toBeUndefined();
  });
});
