/**
 * The load driver: N complete sign-ins at concurrency C, each as a fresh browser (its own
 * cookie jar) plus the relying party's back channel:
 *
 *   authorize -> login page -> login POST -> resume -> consent page -> consent POST -> resume
 *   (redirect with the code) -> token (code + PKCE) -> userinfo -> refresh
 *
 * ten requests, each a measured step. Against the product the login page must carry the
 * challenge text, its id and the QR code, and the login POST carries a wallet signature of that
 * text by one of several test keys; against the baseline the login is a trivial form that
 * posts an account id. Any status other than the expected one fails the flow, with a reason.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar, type Reply, type Target } from './http.js';
import type { BenchSigner } from './keys.js';

export const STEPS = [
  'authorize',
  'login_page',
  'login_post',
  'resume_login',
  'consent_page',
  'consent_post',
  'resume_consent',
  'token',
  'userinfo',
  'refresh',
] as const;
export type Step = (typeof STEPS)[number];

/** `wallet`: the product's challenge page and signature form; `form`: a baseline's one-field login form. */
export type LoginKind = 'wallet' | 'form';

export interface BenchClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}

export interface LoadOptions {
  target: Target;
  login: LoginKind;
  client: BenchClient;
  signers: readonly BenchSigner[];
  flows: number;
  concurrency: number;
  /** No flow starts after this many seconds; flows in flight finish. */
  maxSeconds: number;
  /**
   * At C = 1 only: reads the server's CPU time (ns) at each request's start, so that each step
   * is charged what the server spent from its start to the next request's start (work done
   * after the response, such as logging, included).
   */
  serverCpuNs?: () => number;
}

export interface Failure {
  step: Step | 'flow';
  status: number;
  reason: string;
}

export interface LoadResult {
  planned: number;
  started: number;
  completed: number;
  failed: number;
  /** The run stopped starting flows because maxSeconds ran out. */
  timedOut: boolean;
  wallSeconds: number;
  /** Milliseconds of each completed flow, first request sent to last answer read. */
  flowMs: number[];
  /** Milliseconds of each step of completed and failed flows (a failed step is not recorded). */
  stepMs: Record<Step, number[]>;
  /** The first failures, in order. */
  failures: Failure[];
  /** Failures counted by "step status reason". */
  failureCounts: Record<string, number>;
  /** With serverCpuNs: server CPU microseconds per step, summed over all flows. */
  stepCpuUs?: Record<Step, number>;
}

const KEEP_FAILURES = 20;

class FlowFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.step}: ${failure.status} ${failure.reason}`);
  }
}

function snippet(reply: Reply): string {
  const text = reply.body
    .replace(/<style[\s\S]*?<\/style>|<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const location = reply.headers.location ? ` -> ${reply.headers.location}` : '';
  return `${text.slice(0, 160)}${location}`;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** One sign-in. Returns the milliseconds of each step; throws FlowFailure. */
async function oneFlow(
  options: LoadOptions,
  jar: CookieJar,
  signer: BenchSigner,
  record: (step: Step, ms: number) => void,
  mark: (step: Step) => void,
): Promise<void> {
  const { target, client } = options;
  let step: Step = 'authorize';
  const fail = (reply: Reply | undefined, reason: string): never => {
    throw new FlowFailure({ step, status: reply?.status ?? 0, reason: reply ? `${reason}: ${snippet(reply)}` : reason });
  };
  const timed = async (name: Step, run: () => Promise<Reply>): Promise<Reply> => {
    step = name;
    mark(name);
    const started = performance.now();
    let reply: Reply;
    try {
      reply = await run();
    } catch (error) {
      return fail(undefined, (error as Error).message);
    }
    record(name, performance.now() - started);
    return reply;
  };
  const expectRedirect = (reply: Reply): string => {
    if (reply.status !== 302 && reply.status !== 303) fail(reply, 'expected a redirect');
    const location = reply.headers.location;
    if (!location) return fail(reply, 'redirect without Location');
    return location;
  };
  const local = (location: string, reply: Reply): string =>
    target.localPath(location) ?? fail(reply, `unexpected redirect off the issuer to ${location}`);

  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const query = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: client.scope,
    redirect_uri: client.redirectUri,
    state,
    nonce,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });

  // 1. The relying party sends the browser to the authorization endpoint.
  let reply = await timed('authorize', () => target.request(`/auth?${query}`, jar));
  const interactionPath = local(expectRedirect(reply), reply);
  const uid = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(interactionPath)?.[1] ?? fail(reply, 'authorization did not start an interaction');

  // 2. The login page.
  reply = await timed('login_page', () => target.request(interactionPath, jar));
  if (reply.status !== 200) fail(reply, 'login page');
  let form: Record<string, string>;
  if (options.login === 'wallet') {
    const text = /id="challenge"[^>]*>([^<]+)<\/pre>/.exec(reply.body)?.[1];
    const challengeId = /name="challenge_id" value="([^"]+)"/.exec(reply.body)?.[1];
    if (!text || !challengeId) fail(reply, 'no challenge on the login page');
    if (!reply.body.includes('<svg')) fail(reply, 'no QR code on the login page');
    const message = decodeEntities(text!);
    form = { address: signer.address, signature: signer.sign(message), challenge_id: challengeId! };
  } else {
    if (!reply.body.includes(`action="/interaction/${uid}/login"`)) fail(reply, 'no login form');
    // The parts baseline names its field `account`, the bare one `login` (as upstream's example).
    const field = /<input name="(\w+)"/.exec(reply.body)?.[1] ?? fail(reply, 'no login field');
    form = { [field]: signer.address };
  }

  // 3. The login POST, 4. back to the authorization endpoint.
  reply = await timed('login_post', () => target.request(`/interaction/${uid}/login`, jar, { form }));
  const resume = local(expectRedirect(reply), reply);
  reply = await timed('resume_login', () => target.request(resume, jar, { discardBody: true }));
  let location = expectRedirect(reply);

  // 5-7. Consent where shown (every flow here: a fresh browser and a client that asks).
  if (!location.startsWith(client.redirectUri)) {
    const consentPath = local(location, reply);
    // The consent prompt is a new interaction, with its own uid.
    const consentUid = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(consentPath)?.[1] ?? fail(reply, 'login did not lead to consent');
    reply = await timed('consent_page', () => target.request(consentPath, jar));
    if (reply.status !== 200) fail(reply, 'consent page');
    if (!reply.body.includes(`action="/interaction/${consentUid}/confirm"`)) fail(reply, 'no consent form');
    reply = await timed('consent_post', () => target.request(`/interaction/${consentUid}/confirm`, jar, { form: {} }));
    const again = local(expectRedirect(reply), reply);
    reply = await timed('resume_consent', () => target.request(again, jar, { discardBody: true }));
    location = expectRedirect(reply);
  }
  step = 'resume_consent';
  if (!location.startsWith(client.redirectUri)) fail(reply, 'the flow did not reach the relying party');
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  if (callback.searchParams.get('state') !== state) fail(reply, 'state mismatch');
  if (!code)
    fail(reply, `no code (${callback.searchParams.get('error') ?? 'no error'}: ${callback.searchParams.get('error_description') ?? ''})`);

  // 8-10. The relying party's back channel.
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  const api = { authorization: basic, accept: 'application/json' };
  reply = await timed('token', () =>
    target.request('/token', undefined, {
      headers: api,
      form: { grant_type: 'authorization_code', code: code!, redirect_uri: client.redirectUri, code_verifier: verifier },
    }),
  );
  if (reply.status !== 200) fail(reply, 'code exchange');
  const tokens = JSON.parse(reply.body) as { access_token?: string; id_token?: string; refresh_token?: string };
  if (!tokens.access_token || !tokens.id_token || !tokens.refresh_token) fail(reply, 'token response lacks access, ID or refresh token');

  reply = await timed('userinfo', () =>
    target.request('/me', undefined, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } }),
  );
  if (reply.status !== 200) fail(reply, 'userinfo');
  if ((JSON.parse(reply.body) as { sub?: string }).sub !== signer.address) fail(reply, 'userinfo names another subject');

  reply = await timed('refresh', () =>
    target.request('/token', undefined, {
      headers: api,
      form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
    }),
  );
  if (reply.status !== 200) fail(reply, 'refresh');
  const refreshed = JSON.parse(reply.body) as { refresh_token?: string };
  if (!refreshed.refresh_token || refreshed.refresh_token === tokens.refresh_token) fail(reply, 'refresh did not rotate the refresh token');
}

export function emptySteps(): Record<Step, number[]> {
  return Object.fromEntries(STEPS.map((s) => [s, []])) as unknown as Record<Step, number[]>;
}

/** Runs `flows` sign-ins with `concurrency` virtual users, each starting the next flow when one ends. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    planned: options.flows,
    started: 0,
    completed: 0,
    failed: 0,
    timedOut: false,
    wallSeconds: 0,
    flowMs: [],
    stepMs: emptySteps(),
    failures: [],
    failureCounts: {},
  };
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const record = (step: Step, ms: number) => result.stepMs[step].push(ms);
  // Per-step server CPU: the time between one request's start and the next one's is charged
  // to the first. Only meaningful with one user, so the server serves nothing else meanwhile.
  let lastStep: Step | undefined;
  let lastCpu = 0;
  const stepCpu =
    options.serverCpuNs && options.concurrency === 1 ? (Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>) : undefined;
  const mark = (step: Step) => {
    if (!stepCpu) return;
    const now = options.serverCpuNs!();
    if (lastStep) stepCpu[lastStep] += (now - lastCpu) / 1000;
    lastStep = step;
    lastCpu = now;
  };

  const user = async () => {
    const jar = new CookieJar();
    for (;;) {
      if (result.started >= options.flows) return;
      if (performance.now() > deadline) {
        result.timedOut = true;
        return;
      }
      const index = result.started++;
      const signer = options.signers[index % options.signers.length]!;
      jar.clear();
      const flowStarted = performance.now();
      try {
        await oneFlow(options, jar, signer, record, mark);
        result.flowMs.push(performance.now() - flowStarted);
        result.completed += 1;
      } catch (error) {
        result.failed += 1;
        const failure: Failure =
          error instanceof FlowFailure ? error.failure : { step: 'flow', status: 0, reason: (error as Error).message };
        if (result.failures.length < KEEP_FAILURES) result.failures.push(failure);
        const key = `${failure.step} ${failure.status} ${failure.reason.slice(0, 100)}`;
        result.failureCounts[key] = (result.failureCounts[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, user));
  result.wallSeconds = (performance.now() - started) / 1000;
  if (stepCpu) {
    // The last step's trailing work: give the server a moment, then close the books.
    await new Promise((r) => setTimeout(r, 50));
    mark('authorize');
    result.stepCpuUs = stepCpu;
  }
  // No idle connection is left to outlive the server's keep-alive timeout before the next run.
  options.target.close();
  return result;
}
