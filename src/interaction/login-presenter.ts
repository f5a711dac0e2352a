/**
 * What the login page and the wallet page show of a challenge: the text, the exact
 * evrmore-cli command, the wallet URL and its QR code (docs/wallet-protocol.md §1).
 */
import type { Context } from 'koa';
import type { Challenge } from '../challenge/types.js';
import { challengeStatus, isLive, systemClock } from '../challenge/status.js';
import type { EvrmoreNetwork } from '../evrmore/network.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';
import type { ClientDisplay } from './client-display.js';
import { qrCodeSvg } from './qr-svg.js';
import { openedOnPhone } from '../http/device-kind.js';

export interface LoginView {
  uid: string;
  client: ClientDisplay;
  challenge: Challenge;
  error?: string;
  /** A note above the form (the development test wallet filled it in). */
  notice?: string;
  values?: Record<string, string>;
  /** The relying party's login_hint, when it names an address. */
  expectedAddress?: string;
  /**
   * A phone signed as this address: the page asks "Continue as …?" instead of showing the text
   * again (login CSRF, docs/wallet-protocol.md "Security notes").
   */
  confirmAddress?: string;
}

export interface WalletView {
  client: ClientDisplay;
  challenge: Challenge;
  error?: string;
  signed?: boolean;
  values?: Record<string, string>;
}

export interface LockedOutView {
  uid: string;
  client: ClientDisplay;
  /** The refusal, with the time left in words and as a clock time. */
  message: string;
  retryAfterSeconds: number;
  /** Outside production: how to end the lock-out at once. */
  hint?: string;
}

export class LoginPresenter {
  private readonly now: () => number;

  /** `now`: the challenge service's clock (Unix seconds), so the page and the service agree on expiry. */
  constructor(private readonly options: { views: Views; issuer: URL; network: EvrmoreNetwork; testWallet?: boolean; now?: () => number }) {
    this.now = options.now ?? systemClock;
  }

  get networkName(): string {
    return this.options.network.name;
  }

  walletUrl(challengeId: string): string {
    return new URL(`/w/${challengeId}`, this.options.issuer).href;
  }

  /** `evrmore-cli signmessage` as Evrmore Core documents it; the text is shell-safe (text.ts). */
  command(text: string): string {
    const testnet = this.options.network.name === 'testnet' ? ' -testnet' : '';
    return `evrmore-cli${testnet} signmessage YOUR_ADDRESS "${text}"`;
  }

  /** Drawn for each page view, not cached: ~40 µs, and cached codes lived long enough to be promoted by the GC. */
  qrSvg(challengeId: string): string {
    return qrCodeSvg(this.walletUrl(challengeId));
  }

  async renderLogin(ctx: Context, view: LoginView): Promise<void> {
    const t = ctx.state.t as Translate;
    const { challenge } = view;
    const usable = isLive(challengeStatus(challenge, this.now())) && !view.confirmAddress;
    const walletUrl = this.walletUrl(challenge.id);
    await this.options.views.render(ctx, 'login', {
      title: t('login.title'),
      scripts: ['login.js', 'browser-wallet.js'],
      // Two columns on a computer; on the phone itself no code to scan (public/app.css).
      bodyClass: openedOnPhone(ctx) ? 'wide phone' : 'wide',
      uid: view.uid,
      client: view.client,
      challenge,
      usable,
      command: this.command(challenge.text),
      walletUrl,
      qrSvg: usable ? this.qrSvg(challenge.id) : '',
      expiresAt: new Date(challenge.expiresAt * 1000).toISOString().slice(11, 16),
      expiresAtIso: new Date(challenge.expiresAt * 1000).toISOString(),
      addressStart: this.options.network.name === 'mainnet' ? 'E' : t('login.address.testnetStart'),
      error: view.error,
      notice: view.notice,
      values: view.values ?? {},
      expectedAddress: view.expectedAddress,
      confirmAddress: view.confirmAddress,
      testWallet: this.options.testWallet ?? false,
    });
  }

  async renderLockedOut(ctx: Context, view: LockedOutView): Promise<void> {
    const t = ctx.state.t as Translate;
    await this.options.views.render(ctx, 'locked-out', {
      title: t('lockout.title'),
      scripts: ['login.js'],
      ...view,
      until: new Date(Date.now() + view.retryAfterSeconds * 1000).toISOString(),
    });
  }

  async renderWallet(ctx: Context, view: WalletView): Promise<void> {
    const t = ctx.state.t as Translate;
    // The wallet page signs: only a pending challenge can be (a signed one shows that it was).
    const usable = challengeStatus(view.challenge, this.now()) === 'pending';
    await this.options.views.render(ctx, 'wallet', {
      title: t('wallet.title', { client: view.client.name }),
      scripts: ['login.js', 'browser-wallet.js'],
      client: view.client,
      challenge: view.challenge,
      host: this.options.issuer.host,
      expiresAt: new Date(view.challenge.expiresAt * 1000).toISOString().slice(11, 16),
      expiresAtIso: new Date(view.challenge.expiresAt * 1000).toISOString(),
      command: this.command(view.challenge.text),
      walletUrl: this.walletUrl(view.challenge.id),
      signed: view.signed ?? false,
      usable,
      addressStart: this.options.network.name === 'mainnet' ? 'E' : t('login.address.testnetStart'),
      error: view.error ?? (usable || view.signed ? undefined : t('wallet.unusable')),
      values: view.values ?? {},
    });
  }
}
