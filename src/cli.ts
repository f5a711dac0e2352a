#!/usr/bin/env node
/** Wiring only: the commands are functions of their inputs (src/cli/main.ts). */
import { readFirstLine } from './cli/stdin.js';
import { runCli } from './cli/main.js';

// A reader that stops early (`| head`) is not a failure worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdin: () => readFirstLine(process.stdin, (text) => process.stderr.write(text)),
  fetch: globalThis.fetch,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
// exitCode rather than exit(): pending writes to a pipe are flushed before the process ends.
process.exitCode = code;
