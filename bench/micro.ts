/**
 * Micro-benchmarks, run in the bench process while no server is under load:
 *  - signature verification per second on one core: ours (src/evrmore/message.ts, libsecp256k1
 *    in WASM) against bitcoinjs-message with the Evrmore prefix (pure-JS elliptic), plus the bare
 *    public-key recovery of libsecp256k1 native (the `secp256k1` binding), as WASM (tiny-secp256k1)
 *    and of @noble/curves;
 *  - challenge creation (text, ids, store) + QR rendering per second;
 *  - ID-token signing per second for each algorithm the product's keys may use (RS256, ES256,
 *    EdDSA), through jose's CompactSign as oidc-provider signs.
 * Each runs for a fixed time; rates are given per wall second and per CPU second of this process
 * (one thread runs JavaScript and WASM, so per CPU second is per core).
 */
import { createRequire } from 'node:module';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { CompactSign, importJWK } from 'jose';
import { ChallengeService } from '../src/challenge/service.js';
import { createMemoryChallengeStore } from '../src/challenge/memory-store.js';
import { newChallengeId } from '../src/challenge/text.js';
import { NETWORKS } from '../src/evrmore/network.js';
import { magicHash, verifyMessage } from '../src/evrmore/message.js';
import { hash160 } from '../src/evrmore/address.js';
import { parseSignature } from '../src/evrmore/signature.js';
import { recoverPublicKeyWith, recoveryBackend, type RecoveryBackend } from '../src/evrmore/secp.js';
import { generateSigningKey, type SigningAlgorithm } from '../src/keys.js';
import { LoginPresenter } from '../src/interaction/login-presenter.js';
import type { Views } from '../src/http/views.js';
import { benchSigners } from './keys.js';

export interface Rate {
  ops: number;
  seconds: number;
  perSecond: number;
  /** Operations per CPU second of this process: per core for single-threaded work. */
  perCpuSecond: number;
  /** CPU microseconds per operation. */
  cpuMicros: number;
}

export interface MicroResults {
  verify: {
    ours: Rate;
    /** Which libsecp256k1 build `ours` recovered with. */
    backend: RecoveryBackend;
    bitcoinjsMessage: Rate;
    ratio: number;
    recoverNative?: Rate;
    recoverTinySecp256k1: Rate;
    recoverNoble: Rate;
  };
  challengeAndQr: { challengeOnly: Rate; qrOnly: Rate; both: Rate };
  idTokenSigning: Record<SigningAlgorithm, Rate>;
}

async function measure(seconds: number, op: (i: number) => unknown | Promise<unknown>): Promise<Rate> {
  // Warm-up: a tenth of the time, at least 20 operations.
  const warmUntil = performance.now() + seconds * 100;
  for (let i = 0; i < 20 || performance.now() < warmUntil; i++) await op(i);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  let ops = 0;
  while (performance.now() < until) {
    // Batches of 10 keep the clock reads out of the cost of fast operations.
    for (let k = 0; k < 10; k++) await op(ops++);
  }
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    ops,
    seconds: Math.round(wall * 100) / 100,
    perSecond: Math.round(ops / wall),
    perCpuSecond: Math.round(ops / cpuSeconds),
    cpuMicros: Math.round((cpuSeconds / ops) * 1e6 * 10) / 10,
  };
}

const ORACLE_PREFIX = '\x18Evrmore Signed Message:\n';

export async function runMicro(seconds: number): Promise<MicroResults> {
  const network = NETWORKS.mainnet;
  const signers = benchSigners(8);
  // Texts shaped like real challenges, signed by every key.
  const samples = Array.from({ length: 64 }, (_, i) => {
    const signer = signers[i % signers.length]!;
    const text = `Sign in to Bench RP at id.example.com with Evrmore. Sign only if you started this sign-in yourself. Nonce ${i.toString(16).padStart(32, '0')} expires 2030-01-01T00:00:00Z`;
    const signature = signer.sign(text);
    const parsed = parseSignature(signature);
    if (!parsed.ok) throw new Error('bench signer made a malformed signature');
    const hash = magicHash(text);
    const recovered = Uint8Array.of(parsed.recid, ...parsed.rs);
    return { address: signer.address, text, signature, hash, parsed, recovered };
  });
  for (const s of samples) {
    if (!verifyMessage(s.address, s.text, s.signature, network).ok) throw new Error('our verifier refused a bench signature');
  }
  const require = createRequire(import.meta.url);
  const bitcoinMessage = require('bitcoinjs-message') as typeof import('bitcoinjs-message');
  for (const s of samples.slice(0, 4)) {
    if (!bitcoinMessage.verify(s.text, s.address, s.signature, ORACLE_PREFIX))
      throw new Error('bitcoinjs-message refused a bench signature');
  }

  const sample = (i: number) => samples[i % samples.length]!;
  const ours = await measure(seconds, (i) => {
    const s = sample(i);
    if (!verifyMessage(s.address, s.text, s.signature, network).ok) throw new Error('verify failed');
  });
  const bitcoinjs = await measure(seconds, (i) => {
    const s = sample(i);
    if (!bitcoinMessage.verify(s.text, s.address, s.signature, ORACLE_PREFIX)) throw new Error('oracle verify failed');
  });
  const recoverWith = (backend: RecoveryBackend) =>
    measure(seconds / 2, (i) => {
      const s = sample(i);
      hash160(recoverPublicKeyWith(backend, s.hash, s.parsed.rs, s.parsed.recid, s.parsed.compressed)!);
    });
  const recoverNative = recoveryBackend() === 'native' ? await recoverWith('native') : undefined;
  const recoverTiny = await recoverWith('wasm');
  const recoverNoble = await measure(seconds / 2, (i) => {
    const s = sample(i);
    hash160(noble.recoverPublicKey(s.recovered, s.hash, { prehash: false }));
  });

  const challenges = new ChallengeService({
    store: createMemoryChallengeStore(),
    network,
    issuerHost: 'id.example.com',
    ttlSeconds: 300,
    maxAttempts: 5,
  });
  const presenter = new LoginPresenter({ views: {} as Views, issuer: new URL('https://id.example.com'), network });
  const ref = (i: number) => ({
    uid: `interaction-${i}`,
    clientId: 'bench-rp',
    clientName: 'Bench RP',
    expiresAt: Math.floor(Date.now() / 1000) + 900,
  });
  const challengeOnly = await measure(seconds / 2, (i) => challenges.issue(ref(i)));
  const qrOnly = await measure(seconds / 2, () => presenter.qrSvg(newChallengeId()));
  const both = await measure(seconds, async (i) => {
    const challenge = await challenges.issue(ref(i));
    presenter.qrSvg(challenge.id);
  });

  const idTokenSigning = {} as Record<SigningAlgorithm, Rate>;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: signers[0]!.address,
    preferred_username: signers[0]!.address,
    name: signers[0]!.address,
    evrmore_address: signers[0]!.address,
    evrmore_network: 'mainnet',
    nonce: 'n-0S6_WzA2Mj',
    at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
    c_hash: 'LDktKdoQak3Pk0cnXxCltA',
    sid: '3Zt8gjxgnu5IOOyGH8SUp',
    auth_time: now,
    iss: 'https://id.example.com',
    aud: 'bench-rp',
    iat: now,
    exp: now + 3600,
  };
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    const jwk = await generateSigningKey(alg);
    const key = await importJWK(jwk as Parameters<typeof importJWK>[0], alg);
    idTokenSigning[alg] = await measure(seconds / 2, () =>
      new CompactSign(payload).setProtectedHeader({ alg, kid: jwk.kid as string }).sign(key),
    );
  }

  return {
    verify: {
      ours,
      bitcoinjsMessage: bitcoinjs,
      ratio: Math.round((ours.perCpuSecond / bitcoinjs.perCpuSecond) * 10) / 10,
      backend: recoveryBackend(),
      ...(recoverNative ? { recoverNative } : {}),
      recoverTinySecp256k1: recoverTiny,
      recoverNoble,
    },
    challengeAndQr: { challengeOnly, qrOnly, both },
    idTokenSigning,
  };
}
