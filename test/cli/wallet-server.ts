import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPost {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

export interface WalletServer {
  origin: string;
  host: string;
  walletUrl: string;
  posts: RecordedPost[];
  gets: number;
  /** What GET /w/:id answers (status and JSON). */
  challenge: { status: number; body: unknown };
  /** What POST answers; by default it checks nothing and accepts. */
  answer: (post: RecordedPost) => { status: number; body: unknown };
  close(): Promise<void>;
}

const CHALLENGE_ID = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

/**
 * A stand-in for the provider's wallet endpoint (src/interaction/wallet-routes.ts) with the same
 * JSON shape, on a real socket so the CLI's real fetch is exercised.
 */
export async function startWalletServer(network: 'mainnet' | 'testnet' = 'mainnet'): Promise<WalletServer> {
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const origin = `http://${host}`;
  const walletUrl = `${origin}/w/${CHALLENGE_ID}`;
  const expires = new Date(Date.now() + 300_000);

  const state: WalletServer = {
    origin,
    host,
    walletUrl,
    posts: [],
    gets: 0,
    challenge: {
      status: 200,
      body: {
        challenge_id: CHALLENGE_ID,
        text: `${host}: sign in to «Test app» with Evrmore. Sign only if you started this sign-in yourself. Nonce 0123456789abcdef0123456789abcdef expires ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
        network,
        issuer: origin,
        client: { client_id: 'test-app', client_name: 'Test app' },
        state: 'pending',
        issued_at: new Date().toISOString(),
        expires_at: expires.toISOString(),
        expires_in: 300,
        submit: {
          url: walletUrl,
          method: 'POST',
          content_types: ['application/json', 'application/x-www-form-urlencoded'],
          fields: ['address', 'signature'],
        },
      },
    },
    answer: (post) => ({
      status: 200,
      body: {
        status: 'signed',
        address: (post.body as { address: string }).address,
        message: 'Signed. The sign-in continues on the computer where it started.',
      },
    }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = ({ status, body }: { status: number; body: unknown }) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== `/w/${CHALLENGE_ID}`)
      return send({
        status: 404,
        body: { error: 'challenge_missing', error_description: 'This sign-in code does not exist or has expired.' },
      });
    if (req.method === 'GET') {
      state.gets += 1;
      if (!String(req.headers.accept).includes('application/json')) return send({ status: 406, body: { error: 'html_only_in_this_test' } });
      return send(state.challenge);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const post = { path: req.url, contentType: req.headers['content-type'], body };
    state.posts.push(post);
    return send(state.answer(post));
  }

  return state;
}
