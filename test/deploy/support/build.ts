/**
 * Builds dist/ once for the deploy tests, which run the built product as an operator would.
 * Test files run in parallel workers, so the build is guarded by a lock directory (mkdir is
 * atomic) and skipped while a stamp is newer than every source file: one `npm run build` per
 * change of the sources, however many files ask.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'evrmore-accounts-tests');
const LOCK = join(CACHE, 'build.lock');
const STAMP = join(CACHE, 'build.stamp');
const STALE_LOCK_MS = 5 * 60_000;

/** PATH with the project's node_modules/.bin first: npm scripts and npm itself run on the Node 24 from npm. */
export function projectPath(): string {
  return `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
}

export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? { ...process.env, PATH: projectPath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function newestSourceMtime(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) visit(join(ROOT, entry));
  return newest;
}

function fresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(ROOT, 'dist', 'server.js'))) return false;
  return Number(readFileSync(STAMP, 'utf8')) > newestSourceMtime();
}

/** The lock names its owner, so a lock left by a killed run is taken over at once. */
function lockIsStale(): boolean {
  try {
    const owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (owner > 0) {
      try {
        process.kill(owner, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS;
  } catch {
    // No pid file yet (being created) or already released.
    return false;
  }
}

async function acquireLock(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale()) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

let built: Promise<void> | undefined;

/** `npm run build` unless dist/ is already built from the current sources. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    await acquireLock();
    try {
      if (fresh()) return;
      const started = Date.now();
      const { code, output } = await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
      if (code !== 0) throw new Error(`npm run build failed (${code}):\n${output}`);
      // The start time, so that a source saved during the build makes the next run build again.
      writeFileSync(STAMP, String(started));
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  })();
  return built;
}
