/**
 * Where signatures are checked: on the event loop, or in worker threads so that key recovery
 * (~0.25 ms of CPU each, tiny-secp256k1) runs beside the requests instead of in front of them
 * (issue 7: "synchronous crypto on the event loop"). Both give verifyMessage's result.
 *
 * The worker is compiled JavaScript (dist/evrmore/verify-worker.js); code run from the
 * TypeScript sources (the test suite) verifies on the event loop.
 */
import { Worker } from 'node:worker_threads';
import { verifyMessage, type VerifyResult } from './message.js';
import { NETWORKS, type NetworkName } from './network.js';
import { fail, type EvrmoreErrorCode } from './errors.js';

export interface SignatureVerifier {
  verify(address: unknown, message: unknown, signature: unknown): Promise<VerifyResult>;
  /** Stops the workers; verifications still running are refused. */
  close(): Promise<void>;
}

export interface VerifyRequest {
  id: number;
  address: unknown;
  message: unknown;
  signature: unknown;
  network: NetworkName;
}

/** A result as it crosses threads: an EvrmoreError would arrive as a plain Error, without its code. */
export type VerifyReply = { id: number } & ({ ok: true; address: string } | { ok: false; code: EvrmoreErrorCode; message: string });

export function toReply(id: number, result: VerifyResult): VerifyReply {
  return result.ok ? { id, ok: true, address: result.address } : { id, ok: false, code: result.error.code, message: result.error.message };
}

function fromReply(reply: VerifyReply): VerifyResult {
  return reply.ok ? { ok: true, address: reply.address } : fail(reply.code, reply.message);
}

export function eventLoopVerifier(network: NetworkName): SignatureVerifier {
  return {
    async verify(address, message, signature) {
      return verifyMessage(address, message, signature, NETWORKS[network]);
    },
    async close() {},
  };
}

const WORKER_URL = new URL('./verify-worker.js', import.meta.url);

/** Only strings and undefined cross to the worker: anything else fails as verifyMessage would. */
function cloneable(value: unknown): unknown {
  return typeof value === 'string' || value === undefined ? value : null;
}

class WorkerSlot {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve: (result: VerifyResult) => void; reject: (error: Error) => void }>();

  get load(): number {
    return this.pending.size;
  }

  run(request: VerifyRequest): Promise<VerifyResult> {
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('The signature verifier is shutting down'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_URL);
    // Idle workers must not keep a stopping process alive.
    worker.unref();
    worker.on('message', (reply: VerifyReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiting?.resolve(fromReply(reply));
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      // The next verification starts a new worker; the ones in flight get a 500, not a hang.
      this.worker = undefined;
      this.fail(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`signature verification worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/** `threads` workers; each verification goes to the least busy one. */
export function workerVerifier(network: NetworkName, threads: number): SignatureVerifier {
  const slots = Array.from({ length: Math.max(1, threads) }, () => new WorkerSlot());
  let nextId = 0;
  return {
    verify(address, message, signature) {
      const slot = slots.reduce((best, candidate) => (candidate.load < best.load ? candidate : best));
      return slot.run({ id: ++nextId, address: cloneable(address), message: cloneable(message), signature: cloneable(signature), network });
    },
    async close() {
      await Promise.all(slots.map((slot) => slot.stop()));
    },
  };
}
