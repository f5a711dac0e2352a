/**
 * Redis commands written in one turn of the event loop leave in one system call: the client's
 * socket is corked at the first write and uncorked when the loop's current phase is done
 * (setImmediate), and Node then sends everything written meanwhile with one writev
 * (net.Socket cork/uncork). Concurrent requests, and each request's commands issued together,
 * cost the server and Redis one write and one read instead of one per command.
 *
 * ioredis's enableAutoPipelining batches the same way, but through a Pipeline object and extra
 * promises per command: under load its allocations cost as much CPU in garbage collection as
 * the system calls saved (docs/performance.md). Replies are read as before.
 */
import type { Redis } from 'ioredis';
import type { Writable } from 'node:stream';

/** Coalesces the writes of every connection `client` opens (reconnections included). */
export function coalesceWrites<T extends Redis>(client: T): T {
  client.on('connect', () => coalesceSocketWrites(client.stream));
  return client;
}

export function coalesceSocketWrites(socket: Writable): void {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Writable, ...args: Parameters<Writable['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Writable['write'];
}
