/**
 * The news of a challenge's state change (for the desktop's open login page) never holds up or
 * fails the answer to the person who signed: a notifier that hangs or fails costs the page a
 * periodic re-check, not the sign-in.
 */
import { describe, expect, it } from 'vitest';
import { ChallengeService } from '../../src/challenge/service.js';
import { createMemoryChallengeStore } from '../../src/challenge/memory-store.js';
import type { ChallengeNotifier } from '../../src/challenge/notifier.js';
import { NETWORKS } from '../../src/evrmore/network.js';
import { KEYS, sign } from '../support/wallet.js';

function serviceWith(notify: ChallengeNotifier['notify']) {
  const heard: string[] = [];
  const notifier: ChallengeNotifier = {
    notify: (id, state) => {
      heard.push(state);
      return notify(id, state);
    },
    listen: () => () => {},
    close: async () => {},
  };
  const service = new ChallengeService({
    store: createMemoryChallengeStore(),
    network: NETWORKS.mainnet,
    issuerHost: 'id.example',
    ttlSeconds: 300,
    maxAttempts: 3,
    notifier,
  });
  return { service, heard };
}

const ref = { uid: 'interaction-1234', clientId: 'rp', clientName: 'RP', expiresAt: Math.floor(Date.now() / 1000) + 600 };
const { address } = KEYS.compressed;

describe('challenge state news', () => {
  for (const [name, notify] of [
    ['never answers', () => new Promise<void>(() => {})],
    ['fails', () => Promise.reject(new Error('Connection is closed.'))],
  ] as const) {
    it(`is sent, and the sign-in goes on, when the notifier ${name}`, async () => {
      const { service, heard } = serviceWith(notify);
      const signed = await service.issue(ref);
      await expect(service.markSignedWithSignature(signed, address, sign(KEYS.compressed, signed.text))).resolves.toBe(address);
      await expect(service.redeemSigned((await service.get(signed.id))!, address)).resolves.toBe(address);

      const direct = await service.issue({ ...ref, uid: 'interaction-5678' });
      await expect(service.redeemWithSignature(direct, address, sign(KEYS.compressed, direct.text))).resolves.toBe(address);
      expect(heard).toEqual(['signed', 'redeemed', 'redeemed']);
    });
  }
});
