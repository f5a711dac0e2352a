/**
 * `node dist-bench/bench/overhead.js [path] [n] [product-entry] [--parts]`: server CPU per request
 * of one cheap provider endpoint (default /jwks), product against bare oidc-provider (or, with
 * `--parts`, the product-parts baseline), alternating batches: the cost of everything in front of
 * the provider (middleware), measured exactly (schedstat).
 */
import { Target } from './http.js';
import { threadCpuNs } from './procfs.js';
import { baselineOf, withBothServers } from './servers.js';

async function main(): Promise<void> {
  const { baseline, rest } = baselineOf(process.argv.slice(2));
  const path = rest[0] ?? '/jwks';
  const n = Number(rest[1] ?? 2000);
  await withBothServers(
    'overhead',
    rest[2],
    async (servers) => {
      const totals = servers.map(() => ({ ns: 0, count: 0 }));
      for (let round = 0; round < 6; round++) {
        for (const [i, server] of servers.entries()) {
          const target = new Target(server.port, server.issuer, 1);
          const batch = async (count: number) => {
            for (let k = 0; k < count; k++) {
              const reply = await target.request(path, undefined, { headers: { accept: 'application/json' } });
              if (reply.status >= 400) throw new Error(`${server.name} ${path}: ${reply.status}`);
            }
          };
          await batch(50);
          const before = threadCpuNs(server.pid);
          await batch(n / 6);
          totals[i]!.ns += threadCpuNs(server.pid) - before;
          totals[i]!.count += n / 6;
          target.close();
        }
      }
      for (const [i, server] of servers.entries()) {
        process.stdout.write(
          `${server.name.padEnd(9)} ${path}: ${(totals[i]!.ns / totals[i]!.count / 1000).toFixed(1)} µs CPU per request\n`,
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
