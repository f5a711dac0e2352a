/**
 * `node dist-bench/bench/trace.js [product|baseline|bare]`: one sign-in against a fresh server with
 * Redis MONITOR on, printing every command the server sent to Redis during each step (commands
 * run inside Lua scripts are marked "lua"). A tool for finding duplicate round trips.
 */
import { Redis } from 'ioredis';
import { Target } from './http.js';
import { benchSigners } from './keys.js';
import { runLoad, STEPS } from './driver.js';
import { BENCH_CLIENT, benchSecrets, startServer } from './servers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'product';
  if (name !== 'product' && name !== 'baseline' && name !== 'bare')
    throw new Error('trace.js takes product, baseline (the product-parts one) or bare');
  const secrets = await benchSecrets();
  const server = await startServer({ name, secrets, logDir: mkdtempSync(join(tmpdir(), 'evr-trace-')) });
  const target = new Target(server.port, server.issuer, 1);
  const signers = benchSigners(2);
  try {
    // Warm: one flow first, so lazy loading (clients, keys) is out of the trace.
    await runLoad({
      target,
      login: name === 'product' ? 'wallet' : 'form',
      client: BENCH_CLIENT,
      signers,
      flows: 2,
      concurrency: 1,
      maxSeconds: 30,
    });
    const monitor = new Redis({ host: '127.0.0.1', port: server.redis.port });
    const lines: Array<{ at: number; text: string }> = [];
    const stream = await monitor.monitor();
    stream.on('monitor', (time: string, args: string[], source: string) => {
      lines.push({
        at: Number(time) * 1000,
        text: `${source.includes('lua') ? '  lua ' : ''}${args.map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ')}`,
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    const marks: Array<{ step: string; start: number; end: number }> = [];
    const result = await runLoad({
      target,
      login: name === 'product' ? 'wallet' : 'form',
      client: BENCH_CLIENT,
      signers,
      flows: 1,
      concurrency: 1,
      maxSeconds: 30,
    });
    // Steps are sequential: attribute commands by time to the step in flight.
    let t = 0;
    for (const step of STEPS) {
      const ms = result.stepMs[step][0] ?? 0;
      marks.push({ step, start: t, end: t + ms });
      t += ms;
    }
    await new Promise((r) => setTimeout(r, 200));
    stream.disconnect();
    monitor.disconnect();
    const first = lines[0]?.at ?? 0;
    let total = 0;
    let topLevel = 0;
    process.stdout.write(`${name}: ${lines.length} commands (flow ${result.completed ? 'ok' : 'FAILED'})\n`);
    for (const line of lines) {
      total += 1;
      if (!line.text.startsWith('  lua')) topLevel += 1;
      process.stdout.write(`${(line.at - first).toFixed(1).padStart(7)} ms  ${line.text}\n`);
    }
    process.stdout.write(`top-level round trips: ${topLevel}, with script internals: ${total}\n`);
    process.stdout.write(`steps (ms): ${marks.map((m) => `${m.step} ${(m.end - m.start).toFixed(1)}`).join(', ')}\n`);
  } finally {
    target.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
