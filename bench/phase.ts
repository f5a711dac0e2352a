/**
 * A measured phase: N sign-ins at concurrency C against each server, run in rounds that
 * alternate between the servers (baseline, product, product, baseline, ...), so that both meet
 * the same background load on a shared machine. Per server it sums, over its rounds: the CPU
 * time of the server process and of its redis-server from /proc, the flows and their latencies,
 * Redis's command counts (INFO commandstats) and memory, and keeps the peak RSS.
 */
import { runLoad, STEPS, emptySteps, type BenchClient, type Failure, type LoginKind, type Step } from './driver.js';
import { Target } from './http.js';
import type { BenchSigner } from './keys.js';
import { cpuMs, machineBusyMs, threadCpuNs, watchRss } from './procfs.js';
import { commandDelta, commandStats, usedMemory, type ServerUnderTest } from './servers.js';
import { percentiles, round, type Percentiles } from './stats.js';

export interface PhaseReport {
  server: ServerUnderTest['name'];
  concurrency: number;
  rounds: number;
  planned: number;
  completed: number;
  failed: number;
  timedOut: boolean;
  wallSeconds: number;
  flowsPerSecond: number;
  /** CPU milliseconds per completed flow: the server process, its redis-server, and both. */
  cpuMsPerFlow: { server: number; redis: number; total: number };
  /** The same total (server + redis) for each round, in order: rounds of both servers with the same index ran back to back. */
  roundCpuMsPerFlow: number[];
  latencyMs: { flow: Percentiles; steps: Record<Step, Percentiles> };
  /**
   * At C = 1 only: CPU microseconds (server + its redis-server, from the scheduler's exact
   * per-thread accounting) per flow spent on each step, from its request's start to the next's.
   */
  cpuUsPerStep?: Record<Step, number>;
  peakRssBytes: number;
  /** CPU of the load driver (this process) per flow, and of everything else on the machine, in cores on average. */
  driverCpuMsPerFlow: number;
  otherLoadCores: number;
  redis: {
    commandsPerFlow: number;
    /** Per command (INFO commandstats names), calls per flow. */
    commands: Record<string, number>;
    /** used_memory growth per completed flow (what a sign-in leaves behind, before expiry). */
    memoryPerFlowBytes: number;
  };
  failures: Failure[];
  failureCounts: Record<string, number>;
}

export interface PhaseOptions {
  servers: readonly ServerUnderTest[];
  client: BenchClient;
  signers: readonly BenchSigner[];
  /** Flows per server, split over the rounds. */
  flows: number;
  concurrency: number;
  rounds: number;
  /** Unmeasured flows per server before the first round. */
  warmupFlows: number;
  /** No flow of a round starts after this many seconds. */
  maxSeconds: number;
  /** Epoch ms after which no flow starts at all (the whole run's time budget). */
  deadline?: number;
  /** Called after each round with the server's name and how its flows went. */
  progress?: (line: string) => void;
}

export function loginKind(server: ServerUnderTest): LoginKind {
  return server.name === 'product' ? 'wallet' : 'form';
}

class Accumulator {
  planned = 0;
  completed = 0;
  failed = 0;
  timedOut = false;
  wallSeconds = 0;
  serverMs = 0;
  redisMs = 0;
  driverMs = 0;
  otherMs = 0;
  peakRss = 0;
  memoryGrowth = 0;
  rounds = 0;
  readonly roundCpu: number[] = [];
  readonly flowMs: number[] = [];
  readonly stepMs = emptySteps();
  readonly commands: Record<string, number> = {};
  readonly failures: Failure[] = [];
  readonly failureCounts: Record<string, number> = {};
  stepCpuUs?: Record<Step, number>;

  report(server: ServerUnderTest, concurrency: number): PhaseReport {
    const flows = Math.max(1, this.completed);
    const commandsTotal = Object.values(this.commands).reduce((a, b) => a + b, 0);
    return {
      server: server.name,
      concurrency,
      rounds: this.rounds,
      planned: this.planned,
      completed: this.completed,
      failed: this.failed,
      timedOut: this.timedOut,
      wallSeconds: round(this.wallSeconds, 2),
      flowsPerSecond: round(this.completed / Math.max(0.001, this.wallSeconds), 1),
      cpuMsPerFlow: {
        server: round(this.serverMs / flows),
        redis: round(this.redisMs / flows),
        total: round((this.serverMs + this.redisMs) / flows),
      },
      roundCpuMsPerFlow: this.roundCpu,
      latencyMs: {
        flow: percentiles(this.flowMs),
        steps: Object.fromEntries(STEPS.map((s) => [s, percentiles(this.stepMs[s])])) as Record<Step, Percentiles>,
      },
      ...(this.stepCpuUs
        ? { cpuUsPerStep: Object.fromEntries(STEPS.map((s) => [s, Math.round(this.stepCpuUs![s] / flows)])) as Record<Step, number> }
        : {}),
      peakRssBytes: this.peakRss,
      driverCpuMsPerFlow: round(this.driverMs / flows),
      otherLoadCores: round(this.otherMs / 1000 / Math.max(0.001, this.wallSeconds)),
      redis: {
        commandsPerFlow: round(commandsTotal / flows, 1),
        commands: Object.fromEntries(
          Object.entries(this.commands)
            .sort((a, b) => b[1] - a[1])
            .map(([name, calls]) => [name, round(calls / flows, 2)]),
        ),
        memoryPerFlowBytes: Math.round(this.memoryGrowth / flows),
      },
      failures: this.failures,
      failureCounts: this.failureCounts,
    };
  }
}

/** Runs the phase on every server; returns one report per server, in the order given. */
export async function runPhase(options: PhaseOptions): Promise<PhaseReport[]> {
  const { concurrency } = options;
  const targets = options.servers.map((server) => new Target(server.port, server.issuer, concurrency));
  const totals = options.servers.map(() => new Accumulator());
  const load = (index: number, flows: number) =>
    runLoad({
      target: targets[index]!,
      login: loginKind(options.servers[index]!),
      client: options.client,
      signers: options.signers,
      flows,
      concurrency,
      maxSeconds: Math.max(0, Math.min(options.maxSeconds, ((options.deadline ?? Infinity) - Date.now()) / 1000)),
      serverCpuNs:
        concurrency === 1
          ? () => threadCpuNs(options.servers[index]!.pid) + threadCpuNs(options.servers[index]!.redis.process.pid!)
          : undefined,
    });
  try {
    // Warm-up at this concurrency: sockets opened, code paths hot; not measured.
    if (options.warmupFlows > 0) {
      for (let i = 0; i < options.servers.length; i++) await load(i, options.warmupFlows);
    }
    const rounds = Math.max(1, Math.min(options.rounds, options.flows));
    for (let r = 0; r < rounds; r++) {
      const flows = Math.floor(options.flows / rounds) + (r < options.flows % rounds ? 1 : 0);
      // ABBA: the server that went second goes first in the next round.
      const order = options.servers.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const index of order) {
        const server = options.servers[index]!;
        const acc = totals[index]!;
        const redisPid = server.redis.process.pid!;
        const statsBefore = await commandStats(server.monitor);
        const memoryBefore = await usedMemory(server.monitor);
        const rss = watchRss(server.pid);
        const serverCpu = cpuMs(server.pid);
        const redisCpu = cpuMs(redisPid);
        const driverCpu = process.cpuUsage();
        const machineBusy = machineBusyMs();

        const result = await load(index, flows);

        const serverMs = cpuMs(server.pid) - serverCpu;
        const redisMs = cpuMs(redisPid) - redisCpu;
        const driverUsage = process.cpuUsage(driverCpu);
        const driverMs = (driverUsage.user + driverUsage.system) / 1000;
        acc.otherMs += Math.max(0, machineBusyMs() - machineBusy - serverMs - redisMs - driverMs);
        acc.peakRss = Math.max(acc.peakRss, rss.stop());
        acc.memoryGrowth += (await usedMemory(server.monitor)) - memoryBefore;
        for (const [name, calls] of Object.entries(commandDelta(statsBefore, await commandStats(server.monitor)))) {
          acc.commands[name] = (acc.commands[name] ?? 0) + calls;
        }
        acc.roundCpu.push(round((serverMs + redisMs) / Math.max(1, result.completed)));
        acc.serverMs += serverMs;
        acc.redisMs += redisMs;
        acc.driverMs += driverMs;
        acc.rounds += 1;
        acc.planned += result.planned;
        acc.completed += result.completed;
        acc.failed += result.failed;
        acc.timedOut ||= result.timedOut;
        acc.wallSeconds += result.wallSeconds;
        for (const ms of result.flowMs) acc.flowMs.push(ms);
        for (const step of STEPS) for (const ms of result.stepMs[step]) acc.stepMs[step].push(ms);
        for (const failure of result.failures) if (acc.failures.length < 20) acc.failures.push(failure);
        for (const [reason, count] of Object.entries(result.failureCounts))
          acc.failureCounts[reason] = (acc.failureCounts[reason] ?? 0) + count;
        if (result.stepCpuUs) {
          acc.stepCpuUs ??= Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
          for (const step of STEPS) acc.stepCpuUs[step] += result.stepCpuUs[step];
        }
        options.progress?.(
          `${server.name} C=${concurrency} round ${r + 1}/${rounds}: ${result.completed} completed, ${result.failed} failed, ${round(result.completed / result.wallSeconds, 1)}/s, ${round((serverMs + redisMs) / Math.max(1, result.completed))} ms CPU per flow`,
        );
      }
    }
    return options.servers.map((server, i) => totals[i]!.report(server, concurrency));
  } finally {
    for (const target of targets) target.close();
  }
}
