/**
 * Tells the desktop's open login page that its challenge changed state (signed on the phone,
 * died, was redeemed), so it continues by itself. With Redis the news
 * travels over pub/sub, so the phone's POST and the desktop's event stream may be served by
 * different instances; in memory it is a plain event emitter.
 */
import { EventEmitter } from 'node:events';
import type { Redis, Cluster } from 'ioredis';
import type { ChallengeState } from './types.js';

export type ChallengeListener = (state: ChallengeState) => void;

export interface ChallengeNotifier {
  notify(challengeId: string, state: ChallengeState): Promise<void>;
  /** Calls `listener` on each change of this challenge; returns the unsubscribe function. */
  listen(challengeId: string, listener: ChallengeListener): () => void;
  close(): Promise<void>;
}

export function createMemoryNotifier(): ChallengeNotifier {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    async notify(id, state) {
      events.emit(id, state);
    },
    listen(id, listener) {
      events.on(id, listener);
      return () => events.off(id, listener);
    },
    async close() {
      events.removeAllListeners();
    },
  };
}

/**
 * Channels are named `<prefix>challenge:<id>`: ioredis's keyPrefix does not apply to pub/sub
 * channels, so the deployment's prefix is added here to keep deployments sharing a Redis apart.
 */
export function createRedisNotifier(redis: Redis | Cluster, prefix: string): ChallengeNotifier {
  const local = createMemoryNotifier();
  const channel = (id: string) => `${prefix}challenge:${id}`;
  const counts = new Map<string, number>();
  let subscriber: Redis | Cluster | undefined;

  const ensureSubscriber = (): Redis | Cluster => {
    if (!subscriber) {
      subscriber = redis.duplicate();
      subscriber.on('message', (name: string, message: string) => {
        const id = name.slice(`${prefix}challenge:`.length);
        void local.notify(id, message as ChallengeState);
      });
      // Errors surface through the main client and /readyz; a lost subscription only
      // delays the page until its periodic state check.
      subscriber.on('error', () => {});
    }
    return subscriber;
  };

  return {
    async notify(id, state) {
      await redis.publish(channel(id), state);
    },
    listen(id, listener) {
      const unlisten = local.listen(id, listener);
      const count = (counts.get(id) ?? 0) + 1;
      counts.set(id, count);
      if (count === 1)
        ensureSubscriber()
          .subscribe(channel(id))
          .catch(() => {});
      return () => {
        unlisten();
        const left = (counts.get(id) ?? 1) - 1;
        if (left > 0) {
          counts.set(id, left);
          return;
        }
        counts.delete(id);
        subscriber?.unsubscribe(channel(id)).catch(() => {});
      };
    },
    async close() {
      await local.close();
      if (subscriber) await subscriber.quit().catch(() => subscriber?.disconnect());
    },
  };
}
