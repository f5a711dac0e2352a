/**
 * The wallet URL that the QR code holds (docs/wallet-protocol.md §1). It names the challenge by its
 * unguessable id, not by cookies, because the phone has none of the desktop's cookies.
 * GET as HTML: the mobile page. GET as JSON: the challenge, for wallet apps.
 * POST {address, signature} (form or JSON): proves the key; the desktop then continues.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { ChallengeService } from '../challenge/service.js';
import { challengeStatus } from '../challenge/status.js';
import type { Challenge } from '../challenge/types.js';
import { UserError } from '../errors.js';
import { answerStatus, describeError } from '../http/errors.js';
import { guard } from '../http/guard.js';
import { walletBody, walletParams } from './bodies.js';
import { clientDisplay, type ClientDisplay } from './client-display.js';
import { assertExpectedAddress, expectedAddress } from './login-hint.js';
import type { LoginPresenter } from './login-presenter.js';
import { NO_AUTH_HOOKS, withAuthHooks, type AuthHooks } from './auth-hooks.js';

export interface WalletRoutesDeps {
  provider: Provider;
  challenges: ChallengeService;
  presenter: LoginPresenter;
  hooks?: AuthHooks;
}

export const WALLET_PATH = '/w/:id';

/** JSON callers (wallet apps) are told so by Accept or by sending JSON. */
function isApiCall(ctx: Context): boolean {
  return ctx.is('application/json') === 'application/json' || ctx.accepts('html', 'json') === 'json';
}

export function challengeJson(
  challenge: Challenge,
  presenter: LoginPresenter,
  provider: Provider,
  client: Pick<ClientDisplay, 'name' | 'verified' | 'host'>,
  now: number,
  expected?: string,
) {
  return {
    challenge_id: challenge.id,
    text: challenge.text,
    network: presenter.networkName,
    issuer: provider.issuer,
    // verified: configured by the operator; otherwise host is where the client sends the person.
    client: {
      client_id: challenge.clientId,
      client_name: client.name,
      verified: client.verified,
      ...(client.host ? { host: client.host } : {}),
    },
    state: challengeStatus(challenge, now),
    // The relying party's login_hint: only this address may sign (null: any address).
    expected_address: expected ?? null,
    issued_at: new Date(challenge.issuedAt * 1000).toISOString(),
    expires_at: new Date(challenge.expiresAt * 1000).toISOString(),
    expires_in: Math.max(0, challenge.expiresAt - now),
    submit: {
      url: presenter.walletUrl(challenge.id),
      method: 'POST',
      content_types: ['application/json', 'application/x-www-form-urlencoded'],
      fields: ['address', 'signature'],
    },
  };
}

export function walletRoutes(deps: WalletRoutesDeps): Router {
  const { provider, challenges, presenter } = deps;
  const hooks = deps.hooks ?? NO_AUTH_HOOKS;
  const router = new Router();

  const load = async (id: string): Promise<Challenge> => {
    const challenge = await challenges.get(id);
    if (!challenge) throw new UserError('challenge_missing');
    // A newer challenge replaced this one on the computer's page: signing the old one would
    // never complete the sign-in there.
    const current = await challenges.forInteraction(challenge.interactionUid);
    if (current?.id !== challenge.id) throw new UserError('challenge_replaced');
    return challenge;
  };

  /** The address the relying party asked for with login_hint, from the challenge's interaction. */
  const expectedFor = async (challenge: Challenge): Promise<string | undefined> => {
    const interaction = await provider.Interaction.find(challenge.interactionUid);
    return interaction ? expectedAddress(interaction.params, challenges.network) : undefined;
  };

  // Before the routes' guards, so that their refusals too come back as the caller asked.
  router.use(WALLET_PATH, async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    if (isApiCall(ctx)) ctx.state.api = true;
    await next();
  });

  router.get(WALLET_PATH, guard({ params: walletParams }), async (ctx) => {
    const challenge = await load(ctx.guard.params.id);
    const client = await clientDisplay(provider, challenge.clientId);
    if (ctx.state.api) {
      ctx.body = challengeJson(challenge, presenter, provider, client, challenges.now(), await expectedFor(challenge));
      return;
    }
    await presenter.renderWallet(ctx, { client, challenge, signed: challenge.state === 'signed' || challenge.state === 'redeemed' });
  });

  router.post(WALLET_PATH, guard({ params: walletParams, body: walletBody }), async (ctx) => {
    const challenge = await load(ctx.guard.params.id);
    const { address, signature } = ctx.guard.body;
    const api = ctx.state.api === true;
    try {
      if (!address || !signature) throw new UserError('signature_fields_missing');
      assertExpectedAddress(await expectedFor(challenge), address);
      const info = {
        channel: 'wallet' as const,
        clientId: challenge.clientId,
        address,
        interactionUid: challenge.interactionUid,
        challengeId: challenge.id,
      };
      const proven = await withAuthHooks(hooks, ctx, info, () => challenges.markSignedWithSignature(challenge, address, signature));
      if (api) {
        ctx.body = { status: 'signed', address: proven, message: 'Signed. The sign-in continues on the computer where it started.' };
        return;
      }
      const client = await clientDisplay(provider, challenge.clientId);
      await presenter.renderWallet(ctx, { client, challenge, signed: true });
    } catch (error) {
      if (api || !(error instanceof UserError)) throw error;
      answerStatus(ctx, error);
      const client = await clientDisplay(provider, challenge.clientId);
      const current = (await challenges.get(challenge.id)) ?? challenge;
      await presenter.renderWallet(ctx, { client, challenge: current, error: describeError(ctx, error), values: { address } });
    }
  });

  return router;
}
