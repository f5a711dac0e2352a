/**
 * Keeps `npm run bench` from rotting: the real entry point, built as `npm run bench`
 * builds it, runs a handful of sign-ins at C = 2 against the product and the baseline (each its
 * own process with its own redis-server), plus a tiny growth and micro-benchmark part, and must
 * finish without a failed flow and with every field of the report filled in. It says nothing
 * about speed: the figures of so short a run are noise.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, run } from '../deploy/support/build.js';
import { STEPS } from '../../bench/driver.js';
import type { BenchReport } from '../../bench/report.js';

const out = mkdtempSync(join(tmpdir(), 'evr-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench (smoke)', () => {
  it("builds the bare oidc-provider baseline from none of the product's modules", () => {
    // An optimisation inside src/ must not be able to move the primary baseline.
    for (const file of ['bare-oidc-provider.ts', 'bare-redis-adapter.ts', 'serve.ts']) {
      const source = readFileSync(join(ROOT, 'bench', file), 'utf8');
      const imports = [...source.matchAll(/^import [^;]*? from '([^']+)'/gm)].map((m) => m[1]!);
      expect(imports.length, file).toBeGreaterThan(0);
      expect(
        imports.filter((spec) => spec.startsWith('.') && !/^\.\/(bare-redis-adapter|serve)\.js$/.test(spec)),
        file,
      ).toEqual([]);
    }
  });

  it('runs every part against the product and both baselines (bare oidc-provider first) with zero failed flows and a complete report', async () => {
    await ensureBuilt();
    // Type errors are the typecheck's business (tsconfig.json covers bench/); tsc emits anyway.
    await run('npx', ['tsc', '-p', 'tsconfig.bench.json'], { cwd: ROOT, timeoutMs: 180_000 });
    expect(existsSync(join(ROOT, 'dist-bench', 'bench', 'run.js'))).toBe(true);

    const { code, output } = await run(
      process.execPath,
      [join(ROOT, 'dist-bench', 'bench', 'run.js'), '--smoke', '--memory-limit', '256', '--out', out],
      { cwd: ROOT, timeoutMs: 240_000 },
    );
    expect(code, output).toBe(0);
    expect(output).toContain('### C = 2');
    expect(output).toContain('Targets:');

    const [runDir] = readdirSync(out);
    const report = JSON.parse(readFileSync(join(out, runDir!, 'report.json'), 'utf8')) as BenchReport;
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.serverEnvironment).toMatchObject({ NODE_ENV: 'production', RATE_LIMIT_SIGNIN_IP: expect.any(String) });
    expect(report.serverEnvironment).not.toHaveProperty('COOKIE_KEYS');
    // The product runs with the V8 options the image ships (docs/deploying.md, "Memory").
    const shipped = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(shipped).toMatch(/--max-old-space-size=\d+/);
    expect(report.serverEnvironment.NODE_OPTIONS).toBe(shipped);

    // The primary baseline, bare oidc-provider, ran at every concurrency with no failed flow,
    // beside the parts baseline and the product.
    expect(report.phases.map((p) => p.server).sort()).toEqual(['bare', 'baseline', 'product']);
    expect(output).toContain('bare oidc-provider');
    for (const phase of report.phases) {
      expect(phase).toMatchObject({ concurrency: 2, planned: 6, completed: 6, failed: 0 });
      expect(phase.flowsPerSecond).toBeGreaterThan(0);
      expect(phase.cpuMsPerFlow.server).toBeGreaterThanOrEqual(0);
      expect(phase.cpuMsPerFlow.total).toBeGreaterThan(0);
      expect(phase.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(phase.redis.commandsPerFlow).toBeGreaterThan(10);
      expect(phase.latencyMs.flow.p99).toBeGreaterThan(0);
      for (const step of STEPS) expect(phase.latencyMs.steps[step].count, step).toBe(6);
    }
    const [comparison] = report.comparisons;
    expect(report.partsComparisons.map((c) => c.concurrency)).toEqual([2]);
    expect(comparison?.concurrency).toBe(2);
    // Every ratio is there; a few are null when six flows leave a figure at 0 clock ticks
    // (redis-server's CPU), the ones below never are.
    expect(Object.keys(comparison!.ratios).sort()).toEqual([
      'cpuRedis',
      'cpuServer',
      'cpuTotal',
      'cpuTotalPaired',
      'flowP50',
      'flowP95',
      'flowP99',
      'flowsPerSecond',
      'peakRss',
      'redisCommands',
      'stepP99',
    ]);
    for (const name of ['flowsPerSecond', 'cpuTotal', 'flowP50', 'flowP99', 'peakRss', 'redisCommands'] as const)
      expect(comparison!.ratios[name], name).toBeGreaterThan(0);
    expect(Object.keys(comparison!.ratios.stepP99).sort()).toEqual([...STEPS].sort());

    expect(report.growth?.census.kinds.map((k) => k.kind)).toEqual(
      expect.arrayContaining(['oidc:Session', 'oidc:RefreshToken', 'challenge:id']),
    );
    for (const bytes of Object.values(report.growth!.memory)) expect(bytes).toBeGreaterThan(0);
    // What sign-ins by new people keep in Redis, by kind, and log; checked against its target.
    const retention = report.growth!.retention;
    expect(retention.signIns).toBe(6);
    expect(retention.kinds.map((k) => k.kind)).toEqual(
      expect.arrayContaining(['oidc:Session', 'oidc:Grant', 'oidc:RefreshToken', 'oidc:session-uid']),
    );
    // The total is the kinds' sum (each rounded to a byte per sign-in).
    expect(Math.abs(retention.bytesPerSignIn - retention.kinds.reduce((sum, k) => sum + k.bytesPerSignIn, 0))).toBeLessThanOrEqual(
      retention.kinds.length,
    );
    expect(retention.log.linesPerSignIn).toBeGreaterThan(0);
    expect(retention.log.bytesPerSignIn).toBeGreaterThan(0);
    expect(output).toContain('Redis bytes retained per sign-in');
    expect(report.targets.find((t) => t.name.startsWith('Redis bytes kept per sign-in'))).toMatchObject({
      value: retention.bytesPerSignIn,
    });
    expect(report.growth?.latency[0]).toMatchObject({ sessions: expect.any(Number), failed: 0 });
    expect(report.growth!.latency[0]!.sessions).toBeGreaterThanOrEqual(300);

    expect(report.micro?.verify.ours.perCpuSecond).toBeGreaterThan(0);
    expect(report.micro?.verify.bitcoinjsMessage.perCpuSecond).toBeGreaterThan(0);
    expect(report.micro?.challengeAndQr.both.perSecond).toBeGreaterThan(0);
    expect(Object.keys(report.micro!.idTokenSigning).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    expect(report.targets.find((t) => t.name.startsWith('failed flows'))).toMatchObject({ value: 0, met: true });
    // --memory-limit: the product ran under that heap limit, and the report says how it fared.
    expect(report.targets.find((t) => t.name.includes('256 MB heap limit'))).toMatchObject({ value: 0, met: true });
  }, 600_000);
});
