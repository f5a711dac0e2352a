/**
 * How the store adapter writes a model with its indexes (src/oidc/store-adapter.ts): in one
 * round trip, the indexes sent first, and a failed index fails the write.
 */
import { describe, expect, it } from 'vitest';
import type { AdapterBackend } from '../../src/oidc/adapter-backend.js';
import { createStoreAdapterFactory } from '../../src/oidc/store-adapter.js';
import { payloadFor } from './adapter-contract.js';

/** A backend that records each call and answers writes only when told to. */
function recordingBackend() {
  const calls: string[] = [];
  const pending: Array<{ call: string; settle: (error?: Error) => void }> = [];
  const write =
    (name: string) =>
    (key: string): Promise<void> => {
      calls.push(`${name} ${key}`);
      return new Promise((resolve, reject) => pending.push({ call: name, settle: (error) => (error ? reject(error) : resolve()) }));
    };
  const backend = {
    writeModel: write('writeModel'),
    setLookup: write('setLookup'),
    addGrantMember: write('addGrantMember'),
  } as unknown as AdapterBackend;
  return { backend, calls, pending };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('store adapter writes', () => {
  it('sends the grant index and the token together, the index first', async () => {
    const { backend, calls, pending } = recordingBackend();
    const upsert = createStoreAdapterFactory(backend)('AccessToken').upsert('at1', payloadFor('AccessToken', 'at1', { grantId: 'g1' }), 60);
    await tick();
    // Both are out before either has answered: one round trip, not two.
    expect(calls).toEqual(['addGrantMember oidc:grant-index:g1', 'writeModel oidc:AccessToken:at1']);
    for (const p of pending) p.settle();
    await expect(upsert).resolves.toBeUndefined();
  });

  it("sends a session's uid lookup with the session", async () => {
    const { backend, calls, pending } = recordingBackend();
    const upsert = createStoreAdapterFactory(backend)('Session').upsert('s1', payloadFor('Session', 's1', { uid: 'u1' }), 60);
    await tick();
    expect(calls).toEqual(['setLookup oidc:session-uid:u1', 'writeModel oidc:Session:s1']);
    for (const p of pending) p.settle();
    await upsert;
  });

  it('fails when the index could not be written, even though the model was', async () => {
    const { backend, pending } = recordingBackend();
    const upsert = createStoreAdapterFactory(backend)('RefreshToken').upsert(
      'rt1',
      payloadFor('RefreshToken', 'rt1', { grantId: 'g1' }),
      60,
    );
    await tick();
    for (const p of pending) p.settle(p.call === 'addGrantMember' ? new Error('WRONGTYPE') : undefined);
    await expect(upsert).rejects.toThrow('WRONGTYPE');
  });
});
