import Router from '@koa/router';

/** Resolves when the product can serve (Redis answers); rejects with the reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

/** /healthz: the process is alive. /readyz: it can serve, for load balancers and Kubernetes. */
export function healthRoutes(ready: ReadinessCheck): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await ready();
      ctx.body = { status: 'ready' };
    } catch (error) {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: (error as Error).message };
    }
  });
  return router;
}
