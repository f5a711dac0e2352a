/**
 * A round-robin reverse proxy on loopback, standing in for the load balancer in front of several
 * instances: each request goes to the next backend; a backend that refuses the connection
 * (restarting) is skipped, as a load balancer's health check would. `served` records who
 * answered what, and `pinNext` sends the next request to a chosen backend.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';

export interface Served {
  backend: number;
  method: string;
  path: string;
  status: number;
}

export interface RoundRobinProxy {
  url: string;
  port: number;
  backends: number[];
  served: Served[];
  /** The next request goes to this backend (index into `backends`), then round robin resumes. */
  pinNext(backend: number): void;
  /** Every request goes to this backend until stick(undefined). */
  stick(backend: number | undefined): void;
  close(): Promise<void>;
}

export function forward(
  port: number,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

export async function startRoundRobinProxy(port: number, backends: number[]): Promise<RoundRobinProxy> {
  let next = 0;
  let stuck: number | undefined;
  const proxy: RoundRobinProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    backends,
    served: [],
    pinNext(backend) {
      next = backend;
    },
    stick(backend) {
      stuck = backend;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers, connection: 'close' };
    for (let attempt = 0; attempt < proxy.backends.length; attempt += 1) {
      const backend = stuck ?? next % proxy.backends.length;
      if (stuck === undefined) next = backend + 1;
      try {
        const answer = await forward(proxy.backends[backend]!, req.method!, req.url!, headers, body);
        proxy.served.push({ backend, method: req.method!, path: req.url!, status: answer.status });
        const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...out } = answer.headers;
        res.writeHead(answer.status, out);
        res.end(answer.body);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
      }
    }
    res.writeHead(502).end('no backend');
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return proxy;
}
