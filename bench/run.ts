/**
 * `npm run bench`: the product and two baselines (bare oidc-provider as its own example app
 * sets it up, and oidc-provider on the product's own parts), each a child process with its own redis-server on loopback, loaded in turn by the same driver
 * at each concurrency, then growth and micro-benchmarks; a table on stdout and the whole report
 * as JSON under bench-results/.
 *
 *   npm run bench                      full run (4-6 minutes on 2 quiet cores; a 20-minute budget)
 *   npm run bench -- --quick           a short run with fewer flows
 *   npm run bench -- --flows 1000 --concurrency 8,32 --no-growth --no-micro
 *   npm run bench -- --profile         also writes a --cpu-prof profile of each server
 *   npm run bench -- --memory-limit 96 --concurrency 32   the product under a hard heap limit
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSigners } from './keys.js';
import { runPhase, type PhaseReport } from './phase.js';
import { countKeys, keyCensus, measureRetention, Seeder } from './growth.js';
import { runLoad } from './driver.js';
import { Target } from './http.js';
import { runMicro } from './micro.js';
import { machine } from './procfs.js';
import { compare, renderReport, targets, type BenchReport, type GrowthReport } from './report.js';
import { BENCH_CLIENT, benchSecrets, ROOT, startServer, usedMemory, type ServerUnderTest } from './servers.js';

export interface BenchOptions {
  /** Flows per server and concurrency (C = 1 runs a fifth of them, at least 50). */
  flows: number;
  concurrency: number[];
  /** Flows before the measured ones at each concurrency (and 5x this once at start). */
  warmup: number;
  /** A round starts no flow after this many seconds. */
  maxSeconds: number;
  /** Rounds per concurrency, alternating the servers. */
  rounds: number;
  /** The whole run's budget: past it no flow starts, seeding stops, and what was left is reported as not run. */
  budgetMinutes: number;
  /** Sessions stored before measuring a sign-in's latency; empty: no growth part. */
  growthSessions: number[];
  growthFlows: number;
  /** Items seeded to measure Redis memory per session, grant and token. */
  memorySeed: number;
  /** Sign-ins by new people whose kept Redis keys and log lines are weighed. */
  retentionFlows: number;
  /** Seconds per micro-benchmark; 0: none. */
  microSeconds: number;
  outDir: string;
  profile: boolean;
  /** Extra environment for every server (e.g. to try a setting). */
  env: Record<string, string>;
  quiet: boolean;
  /** Another build of the product to measure instead of dist/server.js (a variant under study). */
  productEntry?: string;
  /**
   * A hard limit on the product's JavaScript heap in MB (`--max-old-space-size`, after the
   * image's own NODE_OPTIONS): past it V8 stops the process, and its flows fail.
   */
  memoryLimitMb?: number;
}

export const PRESETS = {
  full: {
    flows: 2000,
    concurrency: [1, 8, 32, 128],
    warmup: 200,
    maxSeconds: 120,
    rounds: 6,
    budgetMinutes: 20,
    growthSessions: [10_000, 100_000],
    growthFlows: 1000,
    memorySeed: 10_000,
    retentionFlows: 200,
    microSeconds: 2,
  },
  quick: {
    flows: 300,
    concurrency: [1, 8, 32, 128],
    warmup: 60,
    maxSeconds: 60,
    rounds: 2,
    budgetMinutes: 6,
    growthSessions: [10_000],
    growthFlows: 300,
    memorySeed: 2000,
    retentionFlows: 100,
    microSeconds: 0.5,
  },
  // The vitest guard (test/bench): a handful of flows, every part of the report.
  smoke: {
    flows: 6,
    concurrency: [2],
    warmup: 2,
    maxSeconds: 60,
    rounds: 2,
    budgetMinutes: 5,
    growthSessions: [300],
    growthFlows: 6,
    memorySeed: 100,
    retentionFlows: 6,
    microSeconds: 0.05,
  },
} as const;

function log(options: BenchOptions, line: string): void {
  if (!options.quiet) process.stderr.write(`${line}\n`);
}

function redisVersion(): string {
  try {
    return /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const SECRET_VARIABLES = new Set(['COOKIE_KEYS', 'JWKS', 'PATH']);

export async function runBench(options: BenchOptions): Promise<{ report: BenchReport; jsonFile: string; textFile: string }> {
  const startedAt = new Date();
  const outDir = resolve(options.outDir);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const runDir = join(outDir, stamp);
  mkdirSync(runDir, { recursive: true });
  const secrets = await benchSecrets();
  // Many wallets, as in real traffic: per-address rate limits and account records stay small.
  const signers = benchSigners(200);
  const deadline = startedAt.getTime() + options.budgetMinutes * 60_000;
  const nodeArgs = (name: string) => [
    ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, `profile-${name}`)}`] : []),
    ...(name === 'product' && options.memoryLimitMb !== undefined ? [`--max-old-space-size=${options.memoryLimitMb}`] : []),
  ];

  log(options, `bench: starting bare oidc-provider, the product-parts baseline and the product (logs in ${runDir})`);
  const servers: ServerUnderTest[] = [];
  // Ctrl-C or a kill must not leave the servers and their redis-servers behind.
  const interrupted = (signal: NodeJS.Signals) => {
    log(options, `bench: ${signal}: stopping the servers`);
    void Promise.allSettled(servers.map((s) => s.stop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const phases: PhaseReport[] = [];
  let growth: GrowthReport | undefined;
  try {
    servers.push(await startServer({ name: 'bare', secrets, logDir: runDir, env: options.env, nodeArgs: nodeArgs('bare') }));
    servers.push(await startServer({ name: 'baseline', secrets, logDir: runDir, env: options.env, nodeArgs: nodeArgs('baseline') }));
    servers.push(
      await startServer({
        name: 'product',
        secrets,
        logDir: runDir,
        env: options.env,
        nodeArgs: nodeArgs('product'),
        productEntry: options.productEntry,
      }),
    );
    const product = servers.find((s) => s.name === 'product')!;

    const phase = (list: ServerUnderTest[], concurrency: number, flows: number, warmupFlows: number, rounds: number) =>
      runPhase({
        servers: list,
        client: BENCH_CLIENT,
        signers,
        flows,
        concurrency,
        rounds,
        warmupFlows,
        maxSeconds: options.maxSeconds,
        deadline,
        progress: (line) => log(options, `bench:   ${line}`),
      });

    // JIT warm-up of all, unmeasured.
    log(options, 'bench: warming up the servers');
    await phase(servers, 8, options.warmup * 5, 0, 1);

    // At each concurrency the servers take turns in rounds (ABBA), so the baseline is measured
    // seconds, not minutes, from the product and meets the same background load.
    for (const concurrency of options.concurrency) {
      const flows = concurrency === 1 ? Math.max(Math.min(50, options.flows), Math.round(options.flows / 5)) : options.flows;
      const warmup = Math.min(Math.max(Math.round(options.warmup / 2), concurrency * 2), flows);
      log(options, `bench: C=${concurrency}: ${flows} flows per server in ${options.rounds} rounds`);
      const reports = await phase(servers, concurrency, flows, warmup, options.rounds);
      for (const report of reports) {
        log(
          options,
          `bench: ${report.server} C=${concurrency}: ${report.completed} completed, ${report.failed} failed, ${report.flowsPerSecond}/s, ${report.cpuMsPerFlow.total} ms CPU per flow, p99 ${report.latencyMs.flow.p99} ms`,
        );
        for (const [reason, count] of Object.entries(report.failureCounts).slice(0, 3)) log(options, `bench:   ${count} x ${reason}`);
        phases.push(report);
      }
    }

    if (options.growthSessions.length > 0) {
      log(options, 'bench: growth: key census and memory per stored item');
      const productFlows = await countKeys(product.monitor, `${product.keyPrefix}oidc:Session:*`);
      const census = await keyCensus(product, productFlows);
      log(options, `bench: growth: what ${options.retentionFlows} sign-ins by new people keep in Redis and write to the log`);
      // People never seen before (the load phases' 200 wallets are the first of the same list).
      const newPeople = benchSigners(signers.length + options.retentionFlows).slice(signers.length);
      const retention = await measureRetention(product, async () => {
        const target = new Target(product.port, product.issuer, 8);
        try {
          const result = await runLoad({
            target,
            login: 'wallet',
            client: BENCH_CLIENT,
            signers: newPeople,
            flows: newPeople.length,
            concurrency: 8,
            maxSeconds: options.maxSeconds,
          });
          if (result.failed > 0) throw new Error(`retention: ${result.failed} of ${newPeople.length} sign-ins failed`);
          return result.completed;
        } finally {
          target.close();
        }
      });
      const seeder = new Seeder(product);
      await seeder.connect();
      try {
        await seeder.loadTemplates();
        const memory = await seeder.modelMemory(options.memorySeed);
        const latency: GrowthReport['latency'] = [];
        for (const target of options.growthSessions) {
          const stored = await countKeys(product.monitor, `${product.keyPrefix}oidc:Session:*`);
          if (Date.now() > deadline) {
            log(options, `bench: growth: time budget spent, ${target} sessions not measured`);
            break;
          }
          if (stored < target) {
            log(
              options,
              `bench: growth: seeding ${target - stored} signed-in users (session + grant + refresh token) up to ${target} sessions`,
            );
            await seeder.seed('user', target - stored, deadline);
          }
          const sessions = await countKeys(product.monitor, `${product.keyPrefix}oidc:Session:*`);
          log(options, `bench: growth: ${sessions} sessions stored: ${options.growthFlows} sign-ins at C=8`);
          const [report] = await phase([product], 8, options.growthFlows, Math.min(options.warmup, options.growthFlows), 1);
          if (!report) throw new Error('no growth report');
          latency.push({
            sessions,
            usedMemoryBytes: await usedMemory(product.monitor),
            flows: report.completed,
            failed: report.failed,
            flowMs: report.latencyMs.flow,
            cpuMsPerFlow: report.cpuMsPerFlow,
            otherLoadCores: report.otherLoadCores,
          });
        }
        growth = { census: { flows: productFlows, kinds: census }, retention, memory, latency };
      } finally {
        await seeder.close();
      }
    }
  } finally {
    // Stopped before the micro-benchmarks, which then have the machine to themselves.
    for (const server of servers) await server.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }

  let micro: BenchReport['micro'];
  if (options.microSeconds > 0) {
    log(options, 'bench: micro-benchmarks');
    micro = await runMicro(options.microSeconds);
  }

  const against = (baseline: ServerUnderTest['name']) =>
    options.concurrency
      .map((c) => {
        const b = phases.find((p) => p.server === baseline && p.concurrency === c);
        const p = phases.find((q) => q.server === 'product' && q.concurrency === c);
        return b && p ? compare(b, p) : undefined;
      })
      .filter((c) => c !== undefined);
  // The primary baseline is bare oidc-provider; the one on the product's parts shows where cost goes.
  const comparisons = against('bare');
  const partsComparisons = against('baseline');
  const finishedAt = new Date();
  const m = machine();
  const serverEnvironment = Object.fromEntries(
    Object.entries(servers.find((s) => s.name === 'product')?.env ?? {}).filter(([k]) => !SECRET_VARIABLES.has(k)),
  );
  const partial = { phases, comparisons, micro, growth, memoryLimitMb: options.memoryLimitMb };
  const report: BenchReport = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: { ...m, node: process.version, redis: redisVersion() },
    options: { ...options, env: undefined },
    serverEnvironment,
    phases,
    comparisons,
    partsComparisons,
    growth,
    micro,
    targets: targets(partial),
  };
  const jsonFile = join(runDir, 'report.json');
  const textFile = join(runDir, 'report.txt');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(textFile, `${renderReport(report)}\n`);
  return { report, jsonFile, textFile };
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      flows: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      'max-seconds': { type: 'string' },
      'budget-minutes': { type: 'string' },
      rounds: { type: 'string' },
      'growth-sessions': { type: 'string' },
      'growth-flows': { type: 'string' },
      'no-growth': { type: 'boolean', default: false },
      'micro-seconds': { type: 'string' },
      'no-micro': { type: 'boolean', default: false },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      env: { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      'product-entry': { type: 'string' },
      'memory-limit': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`npm run bench -- [--quick] [--flows N] [--concurrency 1,8,32,128] [--rounds R] [--warmup N] [--max-seconds S] [--budget-minutes M]
  [--growth-sessions 10000,100000] [--growth-flows N] [--no-growth] [--micro-seconds S] [--no-micro]
  [--out DIR] [--profile] [--env NAME=VALUE ...] [--product-entry path/to/server.js] [--memory-limit MB] [--quiet]
`);
    process.exit(0);
  }
  const preset = values.smoke ? PRESETS.smoke : values.quick ? PRESETS.quick : PRESETS.full;
  const int = (text: string | undefined, name: string, fallback: number, min = 1, max = 1_000_000): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const list = (text: string | undefined, name: string, fallback: readonly number[], max: number): number[] =>
    text === undefined ? [...fallback] : text.split(',').map((t) => int(t.trim(), name, 0, 1, max));
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error('--env takes NAME=VALUE');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    flows: int(values.flows, 'flows', preset.flows, 1, 100_000),
    concurrency: list(values.concurrency, 'concurrency', preset.concurrency, 512),
    warmup: int(values.warmup, 'warmup', preset.warmup, 0, 10_000),
    maxSeconds: int(values['max-seconds'], 'max-seconds', preset.maxSeconds, 1, 3600),
    rounds: int(values.rounds, 'rounds', preset.rounds, 1, 100),
    budgetMinutes: int(values['budget-minutes'], 'budget-minutes', preset.budgetMinutes, 1, 240),
    growthSessions: values['no-growth'] ? [] : list(values['growth-sessions'], 'growth-sessions', preset.growthSessions, 1_000_000),
    growthFlows: int(values['growth-flows'], 'growth-flows', preset.growthFlows, 1, 100_000),
    memorySeed: preset.memorySeed,
    retentionFlows: preset.retentionFlows,
    microSeconds: values['no-micro'] ? 0 : values['micro-seconds'] !== undefined ? Number(values['micro-seconds']) : preset.microSeconds,
    outDir: values.out ?? join(ROOT, 'bench-results'),
    profile: values.profile,
    env,
    quiet: values.quiet,
    productEntry: values['product-entry'] ? resolve(values['product-entry']) : undefined,
    memoryLimitMb: values['memory-limit'] !== undefined ? int(values['memory-limit'], 'memory-limit', 0, 16, 65_536) : undefined,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { report, jsonFile, textFile } = await runBench(options);
  process.stdout.write(`${renderReport(report)}\n\nReport: ${jsonFile}\nTable:  ${textFile}\n`);
  const failed = report.phases.reduce((sum, p) => sum + p.failed, 0);
  // Failed flows make the run fail; missed performance targets are reported, not fatal.
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  });
}
