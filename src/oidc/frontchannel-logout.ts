/**
 * OpenID Connect Front-Channel Logout 1.0, which oidc-provider 9 no longer implements: when a
 * person signs out here, every relying party of the session that registered a
 * frontchannel_logout_uri is loaded in a hidden iframe (with iss and sid when it asked for
 * them, §2), so it can clear its own cookies; then the page moves on to where the sign-out was
 * going. No script: a meta refresh continues, and the CSP opens frame-src to exactly those
 * origins for this one response.
 */
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { CONTENT_SECURITY_POLICY } from '../http/security-headers.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';
import type { ClientMetadataExtension } from './client-metadata.js';

interface EndedAuthorization {
  clientId: string;
  sid?: string;
}

export function frontchannelLogout(provider: Provider, views: Views): Middleware {
  // oidc-provider emits this after destroying the session, while its record is still in hand.
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const { session, params } = ctx.oidc;
    if (!session || !params?.logout) return;
    const ended: EndedAuthorization[] = Object.keys(session.authorizations ?? {}).map((clientId) => ({
      clientId,
      sid: session.sidFor(clientId),
    }));
    ctx.state.frontchannelLogout = ended;
  });

  return async (ctx, next) => {
    await next();
    const ended = ctx.state.frontchannelLogout as EndedAuthorization[] | undefined;
    const location = ctx.response.get('Location');
    if (!ended?.length || ctx.status !== 303 || !location) return;
    const frames: string[] = [];
    for (const { clientId, sid } of ended) {
      const client = await provider.Client.find(clientId);
      const uri = client?.frontchannel_logout_uri;
      if (typeof uri !== 'string') continue;
      const url = new URL(uri);
      if (client?.frontchannel_logout_session_required === true) {
        url.searchParams.set('iss', provider.issuer);
        if (sid) url.searchParams.set('sid', sid);
      }
      frames.push(url.href);
    }
    if (frames.length === 0) return;
    const origins = [...new Set(frames.map((frame) => new URL(frame).origin))];
    const t = ctx.state.t as Translate;
    ctx.remove('Location');
    ctx.set('Content-Security-Policy', `${CONTENT_SECURITY_POLICY}; frame-src ${origins.join(' ')}`);
    await views.render(ctx, 'frontchannel-logout', { title: t('logout.done.title'), frames, next: location, refresh: location });
    ctx.status = 200;
  };
}

/** What is wrong with one of the two client metadata fields of Front-Channel Logout §2. */
function frontchannelMetadataProblem(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (key === 'frontchannel_logout_session_required' && typeof value !== 'boolean')
    return 'frontchannel_logout_session_required must be a boolean';
  if (key === 'frontchannel_logout_uri') {
    if (typeof value !== 'string') return 'frontchannel_logout_uri must be a URL';
    try {
      const url = new URL(value);
      const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
        return 'frontchannel_logout_uri must be https (http only on loopback)';
      if (url.hash) return 'frontchannel_logout_uri must not have a fragment';
    } catch {
      return 'frontchannel_logout_uri must be an absolute URL';
    }
  }
  return undefined;
}

export const FRONTCHANNEL_CLIENT_METADATA: ClientMetadataExtension = {
  properties: ['frontchannel_logout_uri', 'frontchannel_logout_session_required'],
  problem: frontchannelMetadataProblem,
};
