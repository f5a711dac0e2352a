import { EvrmoreError } from '../evrmore/index.js';
import { firstLine } from './args.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliContext } from './context.js';

export const PROGRAM = 'evrmore-accounts';

export interface Command {
  /** Words after the program name, e.g. "keys generate". */
  name: string;
  /** One line for the parent's list of commands. */
  summary: string;
  /** The full --help text; its first paragraph is the synopsis repeated after a usage error. */
  usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** Runs a command and turns whatever it throws into a message and an exit code, never a stack trace. */
export async function runCommand(command: Command, argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await command.run(argv, ctx);
  } catch (error) {
    return report(command, error, ctx);
  }
}

function report(command: Command, error: unknown, ctx: CliContext): number {
  const prefix = `${PROGRAM} ${command.name}`.trimEnd();
  if (error instanceof UsageError) {
    ctx.err(`${prefix}: ${error.message}`);
    ctx.err(synopsis(command));
    ctx.err(`Run '${prefix} --help' for details.`);
    return EXIT_USAGE;
  }
  const reason = error instanceof CliError || error instanceof EvrmoreError ? error.message : firstLine(error);
  ctx.err(`${prefix}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
  return EXIT_FAILURE;
}

function synopsis(command: Command): string {
  return command.usage.split('\n\n', 1)[0] ?? command.usage;
}

export function printHelp(command: Command, ctx: CliContext): number {
  ctx.out(command.usage.trimEnd());
  return EXIT_OK;
}

/** A command made of subcommands ("keys generate", "keys list", ...). */
export function group(name: string, summary: string, subcommands: Command[], epilogue = ''): Command {
  const word = (c: Command) => c.name.slice(name.length).trim();
  const width = Math.max(...subcommands.map((c) => word(c).length));
  const prefix = `${PROGRAM} ${name}`.trimEnd();
  const usage = [
    `Usage: ${prefix} <command> [options]`,
    '',
    `${summary.charAt(0).toUpperCase()}${summary.slice(1)}.`,
    '',
    'Commands:',
    ...subcommands.map((c) => `  ${word(c).padEnd(width)}  ${c.summary}`),
    '',
    `Run '${prefix} <command> --help' for a command's options.`,
    ...(epilogue ? ['', epilogue] : []),
  ].join('\n');
  const self: Command = {
    name,
    summary,
    usage,
    async run(argv, ctx) {
      const [first, ...rest] = argv;
      if (first === undefined) throw new UsageError('missing command');
      if (first === '--help' || first === '-h') return printHelp(self, ctx);
      if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (options go after the command)`);
      const sub = subcommands.find((c) => word(c) === first);
      if (!sub) throw new UsageError(`unknown command '${first}'`);
      return runCommand(sub, rest, ctx);
    },
  };
  return self;
}
