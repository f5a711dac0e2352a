/**
 * Fails the commands of a Redis connection that stopped answering but stayed open (a paused
 * server, a stalled network path), so that requests get their 503 instead of hanging: when the
 * oldest command waiting for a reply has waited `stallMs`, every command waiting on that
 * connection is rejected with ioredis's own "Command timed out" (which the error mapper turns
 * into the 503). A late reply still goes to its command, which ignores it.
 *
 * One interval timer per client instead of ioredis's `commandTimeout`, which sets and clears a
 * timer for every command: ~1.3 KB and ~5 µs each, 0.03x of a sign-in's CPU (see
 * docs/performance.md).
 */
import type { Cluster, Redis } from 'ioredis';

export interface StallWatch {
  stop(): void;
}

export function watchForStalls(client: Redis | Cluster, options: { stallMs: number; checkEveryMs?: number }): StallWatch {
  const checkEveryMs = options.checkEveryMs ?? Math.min(1000, options.stallMs);
  // Per connection: the command at the head of its queue, and since when it has been there.
  const heads = new WeakMap<Redis, { command: unknown; since: number }>();
  const connections = (): Redis[] =>
    'nodes' in client && typeof client.nodes === 'function' && (client as Cluster).isCluster
      ? (client as Cluster).nodes('all')
      : [client as Redis];

  const check = () => {
    const now = Date.now();
    for (const connection of connections()) {
      const head = connection.commandQueue.peekFront();
      if (!head) {
        heads.delete(connection);
        continue;
      }
      const seen = heads.get(connection);
      if (seen?.command !== head.command) {
        heads.set(connection, { command: head.command, since: now });
        continue;
      }
      if (now - seen.since < options.stallMs) continue;
      // FIFO: everything behind the stalled head is stuck behind it.
      for (const item of connection.commandQueue.toArray()) item.command.reject(new Error('Command timed out'));
    }
  };
  const timer = setInterval(check, checkEveryMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
