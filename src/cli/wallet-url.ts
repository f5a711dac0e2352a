/**
 * The wallet side of the QR sign-in (docs/wallet-protocol.md §1), as a wallet app would implement it:
 * GET the wallet URL as JSON, sign its text, POST {address, signature} to its submit URL.
 */
import { z } from 'zod';
import { NETWORKS, type NetworkName } from '../evrmore/index.js';
import { CliError, EXIT_OK, UsageError, type CliContext } from './context.js';
import { openSigner } from './private-key.js';
import { isSecureOrLoopback } from './urls.js';

const TIMEOUT_MS = 15_000;

const challengeSchema = z.object({
  text: z.string().min(1),
  network: z.enum(['mainnet', 'testnet']),
  state: z.string().optional(),
  client: z.object({ client_id: z.string().optional(), client_name: z.string().optional() }).optional(),
  submit: z.object({ url: z.string().min(1), method: z.string().optional() }),
});
type WalletChallenge = z.infer<typeof challengeSchema>;

const STATE_PROBLEMS: Record<string, string> = {
  signed: 'this sign-in code has already been signed',
  redeemed: 'this sign-in code has already been used',
  expired: 'this sign-in code has expired: start the sign-in again',
  dead: 'this sign-in code is no longer valid (too many failed attempts): start the sign-in again',
};

/**
 * Over plain http anyone on the path could swap the challenge for one of their own sign-ins,
 * which this signer, unlike a person, would sign without reading.
 */
export function parseWalletUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url is not a URL: "${text}"`);
  }
  if (!isSecureOrLoopback(url)) {
    throw new UsageError(
      '--url must be https (http only on localhost, 127.0.0.1 or [::1]): over plain http the challenge could be swapped on the way',
    );
  }
  return url;
}

export interface WalletSignInput {
  url: URL;
  wif: string;
  /** Set only when --network was given; otherwise the challenge's network is used. */
  network?: NetworkName;
  json: boolean;
}

export async function signWalletUrl(input: WalletSignInput, ctx: CliContext): Promise<number> {
  const { url } = input;
  const challenge = await fetchChallenge(url, ctx);
  const stateProblem =
    challenge.state && challenge.state !== 'pending'
      ? (STATE_PROBLEMS[challenge.state] ?? `this sign-in code is ${challenge.state}`)
      : undefined;
  if (stateProblem) throw new CliError(stateProblem);
  if (input.network && input.network !== challenge.network) {
    throw new CliError(`the challenge is for ${challenge.network}, but --network is ${input.network}`);
  }
  requireNamesHost(challenge.text, url);
  const submitUrl = new URL(challenge.submit.url, url);
  if (submitUrl.origin !== url.origin) {
    throw new CliError(`the challenge asks for the signature to be sent to ${submitUrl.origin}, not to ${url.origin}: refused`);
  }
  if (challenge.submit.method && challenge.submit.method.toUpperCase() !== 'POST') {
    throw new CliError(`the challenge asks for a ${challenge.submit.method} submission; only POST is supported`);
  }

  const signer = openSigner(input.wif, NETWORKS[challenge.network], `the challenge at ${url.host} is for ${challenge.network}`);
  const client = challenge.client?.client_name ?? challenge.client?.client_id;
  ctx.err(`Signing as ${signer.address}${client ? ` for ${client}` : ''} at ${url.host}: ${challenge.text}`);
  const signature = signer.sign(challenge.text);

  const answer = await request(submitUrl, ctx, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ address: signer.address, signature }),
  });
  ctx.out(input.json ? JSON.stringify(answer) : describeAnswer(answer, signer.address));
  return EXIT_OK;
}

/**
 * The text starts with the host it signs in to (docs/wallet-protocol.md). A site that relays
 * another site's challenge (QR-jacking) cannot make it start with its own host, and a client's
 * name cannot either (it comes later, between « and »), so this refuses such a relay.
 */
function requireNamesHost(text: string, url: URL): void {
  if (!text.startsWith(`${url.host}: `)) {
    throw new CliError(
      `the challenge text does not name ${url.host}, the host of --url: it may be another site's sign-in relayed through this one (QR-jacking), so it was not signed`,
    );
  }
}

async function fetchChallenge(url: URL, ctx: CliContext): Promise<WalletChallenge> {
  const body = await request(url, ctx, { method: 'GET', headers: { accept: 'application/json' } });
  const parsed = challengeSchema.safeParse(body);
  if (!parsed.success) throw new CliError(`${url.origin} did not answer with a sign-in challenge (is this a wallet URL, /w/...?)`);
  return parsed.data;
}

/** The JSON body of a 2xx answer; a 4xx/5xx answer becomes its error_description. */
async function request(url: URL, ctx: CliContext, init: RequestInit): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await ctx.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new CliError(`cannot reach ${url.origin}: ${networkReason(error)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const description = errorDescription(body);
    throw new CliError(
      description ? `${description} (HTTP ${response.status})` : `${init.method} ${url.pathname} answered HTTP ${response.status}`,
    );
  }
  if (body === undefined) throw new CliError(`${init.method} ${url.pathname} answered something that is not JSON`);
  return body;
}

function errorDescription(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error_description: description, error } = body as Record<string, unknown>;
  return typeof description === 'string' ? description : typeof error === 'string' ? error : undefined;
}

function describeAnswer(answer: unknown, address: string): string {
  const message = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).message : undefined;
  return typeof message === 'string' ? message : `Signed as ${address}.`;
}

/** undici reports "fetch failed" and hides the reason in `cause`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
