/**
 * The browser side of an oidc-provider interaction: the login page with its challenge, the
 * same-device signature form, continuing after a phone signed, and consent. Thin glue: the
 * protocol is in ChallengeService, the rendering in views.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { refusalError, type ChallengeService } from '../challenge/service.js';
import { UserError } from '../errors.js';
import { answerStatus, describeError } from '../http/errors.js';
import { EMPTY_BODY, guard } from '../http/guard.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';
import { assertExpectedAddress, expectedAddress } from './login-hint.js';
import { clientDisplay } from './client-display.js';
import { streamChallengeEvents } from './challenge-events.js';
import type { LoginPresenter } from './login-presenter.js';
import { LOCKED_OUT, NO_AUTH_HOOKS, admitAhead, withAuthHooks, type AuthHooks } from './auth-hooks.js';
import { ALLOW_ALL, type AccessPolicy } from './access-policy.js';
import type { TestWallet } from '../dev/test-wallet.js';
import { abortBody, continueBody, interactionParams, loginBody } from './bodies.js';
import { finishInteraction } from './finish.js';
import { interactionSteps } from './interaction-steps.js';

/**
 * The requests of these pages that rate limits count: the sign-in page at the login step and a
 * new text to sign (each creates a challenge), and the status poll.
 */
export type InteractionRequest = 'signInPage' | 'newChallenge' | 'statusPoll';

export interface InteractionRoutesDeps {
  provider: Provider;
  challenges: ChallengeService;
  views: Views;
  presenter: LoginPresenter;
  hooks?: AuthHooks;
  access?: AccessPolicy;
  /** Counts a request of these pages against its rate limits (src/security/limited-requests.ts); throws the 429. */
  limit?: (ctx: Context, request: InteractionRequest) => Promise<void>;
  /** Takes an event-stream slot for the client and returns its release; throws the 429 when none is free. */
  acquireStream?: (ctx: Context) => () => void;
  /** Development only (TEST_WALLET): the server's test key, which fills the form on request. */
  testWallet?: TestWallet;
  /**
   * The 429 for a client IP locked out after repeated failed sign-ins (with its Retry-After
   * set), or undefined. The page then shows the time left and no form.
   */
  lockedOut?: (ctx: Context) => Promise<UserError | undefined>;
  /** Outside production: how to end a lock-out at once, shown on the locked-out page. */
  lockoutHint?: string;
}

export function interactionRoutes(deps: InteractionRoutesDeps): Router {
  const { provider, challenges, views, presenter } = deps;
  const hooks = deps.hooks ?? NO_AUTH_HOOKS;
  const access = deps.access ?? ALLOW_ALL;
  const limit = deps.limit ?? (async () => {});
  const acquireStream = deps.acquireStream ?? (() => () => {});
  const router = new Router({ prefix: '/interaction/:uid' });

  // The interaction id of every route below, checked before anything looks it up.
  router.use(guard({ params: interactionParams }), async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  const { details, expectPrompt, challengeFor, showLogin, showLockedOut, finishLogin } = interactionSteps({
    provider,
    challenges,
    views,
    presenter,
    access,
    lockoutHint: deps.lockoutHint,
  });

  router.get('/', async (ctx) => {
    const found = await details(ctx);
    const client = await clientDisplay(provider, found.params.client_id as string);
    if (found.prompt.name === 'login') {
      // The consent page creates nothing: only the login step counts. The look-up runs beside
      // the count (one round trip to the store instead of two); a refused page uses neither.
      // An expired or dead challenge stays on the page with its reason and a "new challenge"
      // button: the person asks for the next one, so a text they are signing does not change
      // under them.
      const [, existing, refusal] = await Promise.all([
        limit(ctx, 'signInPage'),
        challenges.forInteraction(found.uid),
        deps.lockedOut?.(ctx),
      ]);
      if (refusal) return showLockedOut(ctx, found, refusal);
      // Nothing stored for this interaction yet: issue at once (currentFor would look it up again).
      const challenge = existing ?? (await challengeFor(found, client, true));
      const state = challenges.publicState(challenge);
      const reason = state === 'expired' || state === 'dead' || state === 'redeemed' ? describeError(ctx, refusalError(state)) : undefined;
      return showLogin(ctx, found, challenge, reason);
    }
    if (found.prompt.name === 'consent') {
      const t = ctx.state.t as Translate;
      const scopes = String(found.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      return views.render(ctx, 'consent', {
        title: t('consent.title', { client: client.name }),
        uid: found.uid,
        client,
        address: found.session?.accountId ?? '',
        scopes,
      });
    }
    throw new UserError('unknown_prompt', { prompt: found.prompt.name });
  });

  // Same-device sign-in: the person pastes address and signature into the form.
  router.post('/login', guard({ body: loginBody }), async (ctx) => {
    // The challenge is looked up beside the interaction (details() checks that the cookie's
    // interaction is the one in the path), by the id the form posted, and the sender's
    // admission (lock-out, rate limit) is asked at the same time: one round trip, not four.
    // Every post counts as an attempt, one the form refuses before checking too.
    const admission = admitAhead(hooks, ctx);
    const [found, challenge] = await Promise.all([details(ctx), challenges.forInteraction(ctx.params.uid!, ctx.guard.body.challenge_id)]);
    expectPrompt(found, 'login');
    const { address, signature, challenge_id: challengeId } = ctx.guard.body;
    if (!challenge) throw new UserError('challenge_missing');
    if (challengeId && challengeId !== challenge.id) {
      throw new UserError('challenge_mismatch');
    }
    if (!address || !signature) {
      ctx.status = 400;
      return showLogin(ctx, found, challenge, describeError(ctx, new UserError('signature_fields_missing')), { address, signature });
    }
    try {
      assertExpectedAddress(expectedAddress(found.params, challenges.network), address);
    } catch (error) {
      ctx.status = 400;
      if (!(error instanceof UserError)) throw error;
      return showLogin(ctx, found, challenge, describeError(ctx, error), { address, signature: '' });
    }
    let proven: string;
    try {
      const info = {
        channel: 'form' as const,
        clientId: challenge.clientId,
        address,
        interactionUid: found.uid,
        challengeId: challenge.id,
      };
      proven = await withAuthHooks(hooks, ctx, info, () => challenges.redeemWithSignature(challenge, address, signature), admission);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      if (error.code === LOCKED_OUT) return showLockedOut(ctx, found, error);
      answerStatus(ctx, error);
      const current = (await challenges.get(challenge.id)) ?? challenge;
      return showLogin(ctx, found, current, describeError(ctx, error), { address, signature: '' });
    }
    return finishLogin(ctx, found, proven);
  });

  // Development only: the test wallet's key signs this page's text, and the page comes back with
  // the form filled in; the person submits it like any wallet's signature (same verifier, limits
  // and audit). The key stays on the server.
  const { testWallet } = deps;
  if (testWallet) {
    router.post('/test-wallet', guard({ body: EMPTY_BODY }), async (ctx) => {
      const [found, challenge] = await Promise.all([details(ctx), challenges.forInteraction(ctx.params.uid!)]);
      expectPrompt(found, 'login');
      if (!challenge) throw new UserError('challenge_missing');
      const t = ctx.state.t as Translate;
      const values = { address: testWallet.address, signature: testWallet.sign(challenge.text) };
      return showLogin(ctx, found, challenge, undefined, values, undefined, t('login.testWallet.signed'));
    });
  }

  // Cross-device: the phone signed through the wallet URL; the desktop redeems the challenge.
  router.post('/continue', guard({ body: continueBody }), async (ctx) => {
    const found = await details(ctx);
    expectPrompt(found, 'login');
    const challenge = await challenges.forInteraction(found.uid);
    if (!challenge) throw new UserError('challenge_missing');
    // Login CSRF (RFC 6749 §10.12): whoever saw the QR code can sign it with their own key. So
    // the person confirms the address that signed ("Continue as …?"), unless the relying party
    // named it in login_hint (the wallet URL accepts no other signer then).
    const address = expectedAddress(found.params, challenges.network) ?? ctx.guard.body.address;
    if (!address && challenge.state === 'signed' && challenge.address) {
      return showLogin(ctx, found, challenge, undefined, {}, challenge.address);
    }
    let proven: string;
    try {
      const info = { channel: 'continue' as const, clientId: challenge.clientId, interactionUid: found.uid, challengeId: challenge.id };
      proven = await withAuthHooks(hooks, ctx, info, () => challenges.redeemSigned(challenge, address));
    } catch (error) {
      if (!(error instanceof UserError) || ctx.state.api) throw error;
      if (error.code === LOCKED_OUT) return showLockedOut(ctx, found, error);
      answerStatus(ctx, error);
      // Still signed (another address was named): ask about the one that signed again.
      const current = (await challenges.get(challenge.id)) ?? challenge;
      return showLogin(
        ctx,
        found,
        current,
        describeError(ctx, error),
        {},
        challenges.publicState(current) === 'signed' ? current.address : undefined,
      );
    }
    return finishLogin(ctx, found, proven);
  });

  // A new text to sign, when the old one expired or died.
  router.post('/challenge', guard({ body: EMPTY_BODY }), async (ctx) => {
    const found = await details(ctx);
    expectPrompt(found, 'login');
    await limit(ctx, 'newChallenge');
    const client = await clientDisplay(provider, found.params.client_id as string);
    await challengeFor(found, client, true);
    ctx.status = 303;
    ctx.redirect(`/interaction/${found.uid}`);
  });

  // Where the login page learns that the phone signed: polling, the fallback of /events.
  router.get('/status', async (ctx) => {
    ctx.state.api = true;
    await limit(ctx, 'statusPoll');
    const found = await details(ctx);
    const challenge = await challenges.forInteraction(found.uid);
    ctx.body = {
      state: challenges.publicState(challenge),
      expires_at: challenge ? new Date(challenge.expiresAt * 1000).toISOString() : null,
    };
  });

  // Server-sent events (HTML Living Standard §9.2): the page hears "signed" within moments of
  // the phone's POST, on whichever instance it landed. Under /interaction/<uid>, so the
  // interaction cookie (scoped to that path) comes along.
  router.get('/events', async (ctx) => {
    ctx.state.api = true;
    const release = acquireStream(ctx);
    try {
      const found = await details(ctx);
      const challenge = await challenges.forInteraction(found.uid);
      if (!challenge) throw new UserError('challenge_missing');
      streamChallengeEvents(ctx, challenges, challenge.id, release);
    } catch (error) {
      release();
      throw error;
    }
  });

  router.post('/confirm', guard({ body: EMPTY_BODY }), async (ctx) => {
    const found = await details(ctx);
    expectPrompt(found, 'consent');
    const accountId = found.session?.accountId;
    if (!accountId) throw new UserError('no_session');
    const grant = found.grantId
      ? (await provider.Grant.find(found.grantId))!
      : new provider.Grant({ accountId, clientId: found.params.client_id as string });
    const missing = found.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const consent = found.grantId ? {} : { grantId };
    return finishInteraction(ctx, found, { consent }, { mergeWithLastSubmission: true });
  });

  router.post('/abort', guard({ body: abortBody }), async (ctx) => {
    await details(ctx);
    // OIDC Core §3.1.2.6: the person declined, or an access rule of the client refused them.
    const refused = ctx.guard.body.reason === 'access_rule';
    const description = refused ? 'The account does not meet the access rules of this application' : 'The user cancelled the sign-in';
    return provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: description },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}
