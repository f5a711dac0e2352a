/**
 * The steps the interaction pages share: reading the interaction behind the request (and its
 * page language), checking which prompt it is at, the challenge for it, showing the sign-in page
 * or the lock-out, and finishing the login once an address is proven and the client's access
 * rules allow it. src/interaction/routes.ts puts them behind its routes.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { ChallengeService } from '../challenge/service.js';
import type { Challenge } from '../challenge/types.js';
import { UserError } from '../errors.js';
import { answerStatus, describeError } from '../http/errors.js';
import { chooseLanguage } from '../http/language.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';
import { WALLET_ACR, WALLET_AMR } from '../oidc/provider.js';
import type { AccessPolicy } from './access-policy.js';
import { clientDisplay, type ClientDisplay } from './client-display.js';
import { finishInteraction } from './finish.js';
import { expectedAddress } from './login-hint.js';
import type { LoginPresenter } from './login-presenter.js';

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionStepsDeps {
  provider: Provider;
  challenges: ChallengeService;
  views: Views;
  presenter: LoginPresenter;
  access: AccessPolicy;
  /** Outside production: how to end a lock-out at once, shown on the locked-out page. */
  lockoutHint?: string;
}

export function interactionSteps(deps: InteractionStepsDeps) {
  const { provider, challenges, views, presenter, access } = deps;

  const details = async (ctx: Context): Promise<Details> => {
    const found = await provider.interactionDetails(ctx.req, ctx.res);
    if (found.uid !== ctx.params.uid) throw new UserError('interaction_mismatch');
    // ui_locales (OIDC Core §3.1.2.1) before the browser's Accept-Language.
    if (typeof found.params.ui_locales === 'string') chooseLanguage(ctx, found.params.ui_locales);
    return found;
  };

  const expectPrompt = (found: Details, name: string) => {
    if (found.prompt.name !== name) {
      throw new UserError('wrong_step');
    }
  };

  const challengeFor = async (found: Details, client: ClientDisplay, fresh = false): Promise<Challenge> => {
    const ref = { uid: found.uid, clientId: client.id, clientName: client.name, clientHost: client.host, expiresAt: found.exp };
    return fresh ? challenges.issue(ref) : challenges.currentFor(ref);
  };

  const showLogin = async (
    ctx: Context,
    found: Details,
    challenge: Challenge,
    error?: string,
    values: Record<string, string> = {},
    confirmAddress?: string,
    notice?: string,
  ) => {
    const client = await clientDisplay(provider, found.params.client_id as string);
    const expected = expectedAddress(found.params, challenges.network);
    await presenter.renderLogin(ctx, {
      uid: found.uid,
      client,
      challenge,
      error,
      notice,
      values: { address: expected ?? '', ...values },
      expectedAddress: expected,
      confirmAddress,
    });
  };

  /** Locked out: the time left and a way back to the application; nothing to sign. */
  const showLockedOut = async (ctx: Context, found: Details, refusal: UserError) => {
    const client = await clientDisplay(provider, found.params.client_id as string);
    answerStatus(ctx, refusal);
    await presenter.renderLockedOut(ctx, {
      uid: found.uid,
      client,
      message: describeError(ctx, refusal),
      retryAfterSeconds: refusal.retryAfterSeconds ?? 1,
      hint: deps.lockoutHint,
    });
  };

  /** The wallet proved `address`: apply the client's access rules, then finish the login. */
  const finishLogin = async (ctx: Context, found: Details, address: string) => {
    const clientId = found.params.client_id as string;
    const decision = await access.check(ctx, { address, clientId });
    if (!decision.ok) {
      const client = await clientDisplay(provider, clientId);
      const t = ctx.state.t as Translate;
      ctx.status = 403;
      return views.render(ctx, 'denied', { title: t('denied.title'), uid: found.uid, client, message: decision.message });
    }
    // acr/amr say how the person authenticated (OIDC Core §2; RFC 8176 "pop").
    return finishInteraction(
      ctx,
      found,
      { login: { accountId: address, acr: WALLET_ACR, amr: WALLET_AMR } },
      { mergeWithLastSubmission: false },
    );
  };

  return { details, expectPrompt, challengeFor, showLogin, showLockedOut, finishLogin };
}
