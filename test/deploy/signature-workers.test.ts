/**
 * Signatures checked in worker threads (dist/evrmore/verifier.js, the product's default): the
 * same answer as on the event loop for every DESIGN §3 vector, the must-fail vector and malformed
 * input; many at once over two workers; and close() refuses what is still running.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ROOT } from './support/build.js';
import { MUST_FAIL, VALID_VECTORS } from '../evrmore/vectors.js';
import type * as VerifierModule from '../../src/evrmore/verifier.js';

let verifiers: typeof VerifierModule;

beforeAll(async () => {
  await ensureBuilt();
  verifiers = (await import(pathToFileURL(join(ROOT, 'dist', 'evrmore', 'verifier.js')).href)) as typeof VerifierModule;
}, 180_000);

const cases = [
  ...VALID_VECTORS.map((v) => ({ name: v.name, network: v.network, args: [v.address, v.message, v.signature] as unknown[] })),
  { name: MUST_FAIL.name, network: MUST_FAIL.network, args: [MUST_FAIL.address, MUST_FAIL.message, MUST_FAIL.signature] },
  { name: 'other message', network: 'mainnet' as const, args: [VALID_VECTORS[0]!.address, 'something else', VALID_VECTORS[0]!.signature] },
  { name: 'not base64', network: 'mainnet' as const, args: [VALID_VECTORS[0]!.address, 'x', '!!!'] },
  { name: 'address not text', network: 'mainnet' as const, args: [{ evil: true }, 'x', VALID_VECTORS[0]!.signature] },
  { name: 'nothing', network: 'mainnet' as const, args: [undefined, undefined, undefined] },
];

describe('signature workers', () => {
  it('answer as the event loop does, vector by vector', async () => {
    for (const network of ['mainnet', 'testnet'] as const) {
      const inWorker = verifiers.workerVerifier(network, 1);
      const onLoop = verifiers.eventLoopVerifier(network);
      try {
        for (const c of cases.filter((k) => k.network === network)) {
          const [address, message, signature] = c.args;
          const expected = await onLoop.verify(address, message, signature);
          expect(await inWorker.verify(address, message, signature), c.name).toEqual(expected);
        }
      } finally {
        await inWorker.close();
      }
    }
    // The valid vectors do verify (the comparison above is not between two failures).
    const check = verifiers.workerVerifier('mainnet', 1);
    expect(await check.verify(VALID_VECTORS[0]!.address, VALID_VECTORS[0]!.message, VALID_VECTORS[0]!.signature)).toEqual({ ok: true, address: VALID_VECTORS[0]!.address });
    await check.close();
  });

  it('share 200 concurrent checks over two workers, each with its own answer', async () => {
    const verifier = verifiers.workerVerifier('mainnet', 2);
    try {
      const good = VALID_VECTORS[0]!;
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0 ? verifier.verify(good.address, good.message, good.signature) : verifier.verify(good.address, `${good.message} ${i}`, good.signature)));
      results.forEach((result, i) => expect(result.ok, `check ${i}`).toBe(i % 2 === 0));
    } finally {
      await verifier.close();
    }
  });

  it('refuses the checks still running when closed, and a closed verifier starts afresh on use', async () => {
    const verifier = verifiers.workerVerifier('mainnet', 1);
    const good = VALID_VECTORS[0]!;
    const running = Promise.allSettled(Array.from({ length: 50 }, () => verifier.verify(good.address, good.message, good.signature)));
    await verifier.close();
    const settled = await running;
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const s of settled) if (s.status === 'rejected') expect(String(s.reason)).toMatch(/shutting down/);
    expect((await verifier.verify(good.address, good.message, good.signature)).ok).toBe(true);
    await verifier.close();
  });
});
