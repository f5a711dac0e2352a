import { describe, expect, it } from 'vitest';
import { hasStackTrace, MAINNET_WIF, run, TESTNET_WIF } from './helpers.js';

const COMMANDS = [
  [],
  ['sign'],
  ['keys'],
  ['keys', 'generate'],
  ['keys', 'rotate'],
  ['keys', 'retire'],
  ['keys', 'list'],
  ['clients'],
  ['clients', 'add'],
  ['clients', 'list'],
  ['clients', 'show'],
  ['clients', 'remove'],
  ['clients', 'rotate-secret'],
  ['config'],
  ['config', 'check'],
];

describe('evrmore-accounts: help and dispatch', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(top level)', c]))(
    '%s --help prints usage on stdout and exits 0',
    async (_name, command) => {
      for (const flag of ['--help', '-h']) {
        const result = await run([...command, flag]);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^Usage: evrmore-accounts /);
        expect(result.stdout).toContain(`evrmore-accounts ${command.join(' ')}`.trimEnd());
        expect(result.stderr).toBe('');
      }
    },
  );

  it('lists every command in the top-level help', async () => {
    const { stdout } = await run(['--help']);
    for (const name of ['sign', 'keys', 'clients', 'config']) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('without a command prints the problem and the usage hint on stderr and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('missing command');
    expect(result.stderr).toContain('Usage: evrmore-accounts <command>');
    expect(result.stderr).toContain("Run 'evrmore-accounts --help'");
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--verbose'], "unknown option '--verbose'"],
    [['keys'], 'missing command'],
    [['keys', 'frobnicate'], "unknown command 'frobnicate'"],
    [['clients', '--file', 'x.json'], "unknown option '--file'"],
    [['config'], 'missing command'],
    [['config', 'check', '--verbose'], "Unknown option '--verbose'"],
    [['keys', 'list', '--file', 'a', 'extra'], "Unexpected argument 'extra'"],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/Usage: evrmore-accounts/);
    expect(result.stdout).toBe('');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  describe('never takes a private key from the command line', () => {
    it.each([
      ['sign --text', ['sign', '--text', MAINNET_WIF]],
      ['a testnet key', ['sign', '--text', TESTNET_WIF, '--network', 'testnet']],
      ['a bare argument', ['sign', MAINNET_WIF]],
      ['inside a longer argument', ['sign', `--text=my key is ${MAINNET_WIF}.`]],
      ['another command', ['clients', 'add', '--file', 'c.json', '--id', 'a', '--name', MAINNET_WIF]],
      ['even with --help', ['sign', '--help', MAINNET_WIF]],
    ])('refuses a WIF in argv (%s)', async (_name, argv) => {
      const result = await run(argv, { env: { EVRMORE_WIF: MAINNET_WIF } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('never put a private key on the command line');
      expect(result.stderr).toContain('shell history');
      expect(result.stderr).not.toContain(MAINNET_WIF);
      expect(result.stderr).not.toContain(TESTNET_WIF);
      expect(result.stdout).toBe('');
    });

    it.each([['--wif', 'abc'], ['--wif=abc'], ['--key', 'abc'], ['--private-key=abc'], ['--privkey', 'x']])(
      'refuses the option %s',
      async (...option) => {
        const result = await run(['sign', '--text', 'hi', ...option], { env: { EVRMORE_WIF: MAINNET_WIF } });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('never put a private key on the command line');
        expect(result.stderr).not.toContain('abc');
      },
    );

    it('lets a base58 text that is not a key through', async () => {
      // A P2PKH address is base58check too, but not a WIF.
      const result = await run(['sign', '--text', 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM'], { env: { EVRMORE_WIF: MAINNET_WIF } });
      expect(result.code).toBe(0);
    });
  });
});
