/**
 * Files that hold secrets (signing keys, client secrets): written 0600 and atomically, so that
 * a crash or a full disk never leaves a half-written file for the provider to load at start.
 */
import { randomBytes } from 'node:crypto';
import { chown, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, type CliContext } from './context.js';

export const SECRET_FILE_MODE = 0o600;

export function resolvePath(ctx: CliContext, file: string): string {
  return resolve(ctx.cwd ?? process.cwd(), file);
}

/** The parsed JSON of `path`, or undefined when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Writes a temporary file beside `path` and moves it into place: rename(2) replaces atomically;
 * link(2) fails with EEXIST instead of replacing, which refuses to overwrite without a race.
 */
export async function writeSecretFile(path: string, content: string, options: { overwrite: boolean; existsHint?: string }): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', SECRET_FILE_MODE);
    try {
      await handle.writeFile(content);
      // The creation mode is masked by umask; set it explicitly.
      await handle.chmod(SECRET_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await keepOwner(temporary, path);
      await rename(temporary, path);
    } else {
      await link(temporary, path);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${path} already exists${options.existsHint ? `: ${options.existsHint}` : ''}`);
    throw new CliError(`cannot write ${path} (${code ?? (error as Error).message})`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Run as root, the replacement keeps the owner of the file it replaces: the provider reading it
 * runs as another user (the image's uid 1000), and a file it can no longer read would stop its
 * live reload (docs/deploying.md).
 */
async function keepOwner(temporary: string, path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const existing = await stat(path).catch(() => undefined);
  if (existing) await chown(temporary, existing.uid, existing.gid);
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
