/**
 * Graceful stop of the HTTP server: stop accepting connections, let requests in flight finish,
 * and end long-lived event streams, whose browsers reconnect (to another instance behind the
 * load balancer) by themselves (HTML Living Standard §9.2.3, "reestablish the connection").
 */
import type { Server, ServerResponse } from 'node:http';

export interface DrainableServer {
  /** Resolves once every connection is closed. */
  drain(): Promise<void>;
  /** Requests still being answered (for logs). */
  inFlight(): number;
}

function isEventStream(res: ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}

/**
 * After this response, close its connection: a keep-alive connection would otherwise stay open
 * (and hold the stop up) until its idle timeout. `Connection: close` (RFC 9112 §9.6) tells the
 * client too, so it opens its next connection to another instance.
 */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) {
    res.setHeader('Connection', 'close');
    return;
  }
  const socket = res.socket;
  res.once('finish', () => socket?.end());
}

/** Call right after creating the server, so that every request is tracked. */
export function makeDrainable(server: Server): DrainableServer {
  const responses = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_req, res: ServerResponse) => {
    responses.add(res);
    res.once('close', () => responses.delete(res));
    if (!draining) return;
    // A request that arrives on an open connection while draining.
    closeAfter(res);
    // A stream that starts now would hold the stop up to its own end.
    res.once('pipe', () => {
      if (isEventStream(res)) res.destroy();
    });
  });

  return {
    inFlight: () => responses.size,
    async drain() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections close now, busy ones after their response.
      server.closeIdleConnections();
      for (const res of responses) {
        if (isEventStream(res)) res.destroy();
        else closeAfter(res);
      }
      await closed;
    },
  };
}
