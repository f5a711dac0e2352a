/**
 * Random text from the OS CSPRNG (node:crypto), drawn 4 KiB at a time. Each draw from
 * node:crypto costs about as much as a system call whatever its size (OpenSSL checks for a fork
 * first), and a sign-in page drew twice (its challenge's id and nonce); oidc-provider draws its
 * own ids from a pool the same way (nanoid). Every byte is handed out once.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes (at most 256), as `encoding` text. */
export function randomText(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 256) throw new RangeError('randomText takes 1 to 256 bytes');
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString(encoding, used, used + bytes);
  // Spent bytes are overwritten, so no later reader of the pool can see them.
  pool.fill(0, used, used + bytes);
  used += bytes;
  return text;
}
