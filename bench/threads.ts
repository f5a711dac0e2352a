/**
 * `node dist-bench/bench/threads.js [flows] [concurrency] [product-entry] [--parts]`: server CPU
 * per sign-in by thread (main JavaScript thread, V8's GC and compiler helpers, libuv's pool), from
 * /proc/<pid>/task/<tid>/{comm,stat}, product against bare oidc-provider (or, with `--parts`, the
 * product-parts baseline), in alternating rounds. The CPU
 * profile sees only the main thread; this shows what happens beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { runLoad } from './driver.js';
import { Target } from './http.js';
import { benchSigners } from './keys.js';
import { loginKind } from './phase.js';
import { clockTicks } from './procfs.js';
import { BENCH_CLIENT, baselineOf, withBothServers, type ServerUnderTest } from './servers.js';

/** CPU milliseconds per thread name (digits dropped, so a pool's threads add up). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  const tick = 1000 / clockTicks();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '').trim();
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return byName;
}

/** Read and write system calls of the process (/proc/<pid>/io: syscr, syscw). */
function syscalls(pid: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(`/proc/${pid}/io`, 'utf8').split('\n')) {
    const [name, value] = line.split(': ');
    if (name === 'syscr' || name === 'syscw') counts.set(name, Number(value));
  }
  return counts;
}

async function main(): Promise<void> {
  const { baseline, rest } = baselineOf(process.argv.slice(2));
  const flows = Number(rest[0] ?? 1200);
  const concurrency = Number(rest[1] ?? 8);
  const signers = benchSigners(200);
  await withBothServers(
    'threads',
    rest[2],
    async (servers) => {
      const totals = servers.map(() => new Map<string, number>());
      const calls = servers.map(() => new Map<string, number>());
      const run = (server: ServerUnderTest, count: number) =>
        runLoad({
          target: new Target(server.port, server.issuer, concurrency),
          login: loginKind(server),
          client: BENCH_CLIENT,
          signers,
          flows: count,
          concurrency,
          maxSeconds: 120,
        });
      for (const server of servers) await run(server, 200);
      const rounds = 4;
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          const server = servers[i]!;
          const before = threadCpu(server.pid);
          const beforeCalls = syscalls(server.pid);
          const result = await run(server, flows / rounds);
          if (result.failed > 0) throw new Error(`${server.name}: ${result.failed} failed flows`);
          for (const [name, ms] of threadCpu(server.pid)) totals[i]!.set(name, (totals[i]!.get(name) ?? 0) + ms - (before.get(name) ?? 0));
          for (const [name, count] of syscalls(server.pid))
            calls[i]!.set(name, (calls[i]!.get(name) ?? 0) + count - (beforeCalls.get(name) ?? 0));
        }
      }
      const names = [...new Set(totals.flatMap((t) => [...t.keys()]))].sort();
      process.stdout.write(`CPU ms per sign-in by thread, C = ${concurrency}, ${flows} flows each\n`);
      for (const name of [...names, 'all']) {
        const per = totals.map((t) => (name === 'all' ? [...t.values()].reduce((a, b) => a + b, 0) : (t.get(name) ?? 0)) / flows);
        process.stdout.write(
          `${name.padEnd(20)} ${servers[0]!.name.padEnd(8)} ${per[0]!.toFixed(2).padStart(6)}  product ${per[1]!.toFixed(2).padStart(6)}\n`,
        );
      }
      for (const name of ['syscr', 'syscw']) {
        const per = calls.map((c) => (c.get(name) ?? 0) / flows);
        process.stdout.write(
          `${name.padEnd(20)} ${servers[0]!.name.padEnd(8)} ${per[0]!.toFixed(1).padStart(6)}  product ${per[1]!.toFixed(1).padStart(6)}\n`,
        );
      }
    },
    baseline,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
