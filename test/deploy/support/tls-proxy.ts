/**
 * The TLS-terminating reverse proxy in front of a production deployment, as docs/deploying.md
 * configures nginx: https on loopback with a certificate made for the test (openssl), requests
 * forwarded in plain HTTP with the Host unchanged and X-Forwarded-Proto / X-Forwarded-For set.
 * The certificate is added to this process's trusted CAs, so fetch and openid-client speak to
 * https://localhost:PORT like to any public issuer.
 */
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { forward } from './proxy.js';
import { selfSignedCertificate } from './self-signed.js';

export interface TlsProxy {
  /** https://localhost:PORT, the issuer. */
  url: string;
  port: number;
  close(): Promise<void>;
}

async function certificate(): Promise<{ key: string; cert: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'evr-tls-'));
  try {
    const { keyFile, certFile } = await selfSignedCertificate(dir, 'proxy');
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsProxy(port: number, backendPort: number): Promise<TlsProxy> {
  const { key, cert } = await certificate();
  setDefaultCACertificates([...getCACertificates('default'), cert]);
  const server: Server = createServer({ key, cert }, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = {
      ...req.headers,
      connection: 'close',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
    };
    try {
      const answer = await forward(backendPort, req.method!, req.url!, headers, Buffer.concat(chunks));
      const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...out } = answer.headers;
      res.writeHead(answer.status, out).end(answer.body);
    } catch {
      res.writeHead(502).end('backend unreachable');
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://localhost:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
