import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { ChallengeService } from '../challenge/service.js';

/** A missed notification (subscriber reconnecting) is caught up by this periodic check. */
const RECHECK_MS = 5_000;
const FINAL = new Set(['signed', 'redeemed', 'dead', 'expired', 'missing']);

/**
 * Streams `event: state` messages for one challenge until it reaches a final state (for the
 * page: signed means continue; the others mean offer a new challenge) or the client leaves;
 * then calls `onClose` once.
 */
export function streamChallengeEvents(
  ctx: Context,
  challenges: ChallengeService,
  challengeId: string,
  onClose: () => void = () => {},
): void {
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.status = 200;
  ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
  ctx.set('Cache-Control', 'no-store');
  // Reverse proxies (nginx) must not buffer the stream.
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = stream;

  let last: string | undefined;
  let closed = false;
  let checking = false;
  const close = () => {
    if (closed) return;
    closed = true;
    unwatch();
    clearInterval(timer);
    clearTimeout(expiry);
    stream.end();
    onClose();
  };
  const check = async () => {
    if (closed || checking) return;
    checking = true;
    try {
      const state = challenges.publicState(await challenges.get(challengeId));
      if (state !== last) {
        last = state;
        stream.write(`event: state\ndata: ${JSON.stringify({ state })}\n\n`);
      } else {
        stream.write(': still waiting\n\n');
      }
      if (FINAL.has(state)) close();
    } catch {
      // Storage is unreachable: let the page fall back to polling, which reports the error.
      close();
    } finally {
      checking = false;
    }
  };

  const unwatch = challenges.watch(challengeId, () => void check());
  const timer = setInterval(() => void check(), RECHECK_MS);
  let expiry: NodeJS.Timeout | undefined;
  void challenges.get(challengeId).then((challenge) => {
    if (!challenge || closed) return;
    expiry = setTimeout(() => void check(), Math.max(0, challenge.expiresAt * 1000 - Date.now()) + 250);
  });
  ctx.req.on('close', close);
  // The client may have left while the route looked the challenge up: no 'close' will follow.
  if (ctx.req.socket.destroyed) close();
  void check();
}
