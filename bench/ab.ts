/**
 * `node dist-bench/bench/ab.js path/to/before/server.js [path/to/after/server.js] [--flows N]
 * [--concurrency 8,32] [--rounds R] [--node-args-a="..."] [--node-args-b="..."]`: two builds
 * of the product (A: before a change, B: after it, dist/server.js unless given) and bare
 * oidc-provider, measured in the same rounds (A B bare, then bare B A, ...), so that a change's
 * saving is a same-run figure on a shared machine: server + redis CPU per sign-in of each, B / A
 * and each / bare, p99 and peak RSS. The node arguments let A and B be the same build under two
 * sets of V8 flags. Build A from a worktree of the commit before the change (`npm run build`),
 * copied under this checkout (e.g. dist-before/, git-ignored) so it finds node_modules.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSigners } from './keys.js';
import { runPhase, type PhaseReport } from './phase.js';
import { BENCH_CLIENT, benchSecrets, ROOT, startServer, type ServerUnderTest } from './servers.js';
import { ratio } from './stats.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      flows: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '100' },
      'node-args-a': { type: 'string', default: '' },
      'node-args-b': { type: 'string', default: '' },
    },
  });
  const entryA = positionals[0];
  if (!entryA) throw new Error('ab.js takes the entry of build A (before), and optionally of build B (after; dist/server.js)');
  const entryB = positionals[1] ?? join(ROOT, 'dist', 'server.js');
  const split = (text: string) => text.split(' ').filter(Boolean);
  const secrets = await benchSecrets();
  const logDir = mkdtempSync(join(tmpdir(), 'evr-ab-'));
  for (const sub of ['a', 'b']) mkdirSync(join(logDir, sub));
  const servers: ServerUnderTest[] = [];
  // Ctrl-C must not leave the servers and their redis-servers behind.
  const interrupted = () => void Promise.allSettled(servers.map((s) => s.stop())).finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    servers.push(
      await startServer({
        name: 'product',
        secrets,
        logDir: join(logDir, 'a'),
        productEntry: resolve(entryA),
        nodeArgs: split(values['node-args-a']),
      }),
    );
    servers.push(
      await startServer({
        name: 'product',
        secrets,
        logDir: join(logDir, 'b'),
        productEntry: resolve(entryB),
        nodeArgs: split(values['node-args-b']),
      }),
    );
    servers.push(await startServer({ name: 'bare', secrets, logDir }));
    const signers = benchSigners(200);
    const run = (concurrency: number, flows: number, warmupFlows: number, rounds: number) =>
      runPhase({
        servers,
        client: BENCH_CLIENT,
        signers,
        flows,
        concurrency,
        rounds,
        warmupFlows,
        maxSeconds: 300,
        progress: (line) => process.stderr.write(`ab: ${line}\n`),
      });
    await run(8, Number(values.warmup) * 3, 0, 1);
    process.stdout.write(`A: ${entryA} ${values['node-args-a']}\nB: ${entryB} ${values['node-args-b']}\n`);
    for (const concurrency of values.concurrency.split(',').map(Number)) {
      const [a, b, bare] = (await run(concurrency, Number(values.flows), Number(values.warmup), Number(values.rounds))) as [
        PhaseReport,
        PhaseReport,
        PhaseReport,
      ];
      const line = (name: string, get: (p: PhaseReport) => number) =>
        `${name.padEnd(34)} A ${get(a).toFixed(1).padStart(7)}  B ${get(b).toFixed(1).padStart(7)}  bare ${get(bare).toFixed(1).padStart(7)}   B/A ${ratio(get(b), get(a))?.toFixed(3)}  A/bare ${ratio(get(a), get(bare))?.toFixed(3)}  B/bare ${ratio(get(b), get(bare))?.toFixed(3)}\n`;
      process.stdout.write(
        `C = ${concurrency}, ${values.flows} flows each in ${values.rounds} rounds; failed: A ${a.failed}, B ${b.failed}, bare ${bare.failed}\n`,
      );
      process.stdout.write(line('CPU ms per flow: server + redis', (p) => p.cpuMsPerFlow.total));
      process.stdout.write(line('CPU ms per flow: server', (p) => p.cpuMsPerFlow.server));
      process.stdout.write(line('flow ms p99', (p) => p.latencyMs.flow.p99));
      process.stdout.write(line('peak RSS MB', (p) => p.peakRssBytes / 1024 / 1024));
      const pairs = a.roundCpuMsPerFlow.map((x, i) => ratio(b.roundCpuMsPerFlow[i] ?? 0, x)?.toFixed(3)).join(' ');
      process.stdout.write(`B/A CPU per round pair: ${pairs}\n`);
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
