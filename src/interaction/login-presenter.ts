/**
 * What the login page and the wallet page show of a challenge: the text, the exact
 * evrmore-cli command, the wallet URL and its QR code (DESIGN §4 items 4-5).
 */
import QRCode from 'qrcode';
import type { Context } from 'koa';
import type { Challenge } from '../challenge/types.js';
import type { EvrmoreNetwork } from '../evrmore/network.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';
import type { ClientDisplay } from './client-display.js';

export interface LoginView {
  uid: string;
  client: ClientDisplay;
  challenge: Challenge;
  error?: string;
  values?: Record<string, string>;
  /** The relying party's login_hint, when it names an address. */
  expectedAddress?: string;
}

export interface WalletView {
  client: ClientDisplay;
  challenge: Challenge;
  error?: string;
  signed?: boolean;
  values?: Record<string, string>;
}

/**
 * The data mask of every QR code (ISO/IEC 18004 §7.8). The encoder may use any of the eight; a
 * reader takes it from the format information. Scoring all eight for each code (qrcode's
 * default) was 85% of its cost; of 300 random wallet URLs, mask 2 had the lowest average penalty
 * score (906 against 868 for the per-code best) and the lowest worst case.
 */
const QR_MASK_PATTERN = 2;

export class LoginPresenter {
  constructor(private readonly options: { views: Views; issuer: URL; network: EvrmoreNetwork }) {}

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

  /**
   * Rendered for each page view, not cached: with one mask it costs ~40 µs, while a cache of
   * codes kept for minutes made every code live long enough to be copied by each young-
   * generation GC and collected only by a full one.
   */
  async qrSvg(challengeId: string): Promise<string> {
    // One byte-mode segment: a URL needs no cheaper mode, and qrcode's search for the optimal
    // segmentation (a shortest-path over mode changes) was half the cost of each code.
    return QRCode.toString([{ data: Buffer.from(this.walletUrl(challengeId)), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 2, maskPattern: QR_MASK_PATTERN });
  }

  async renderLogin(ctx: Context, view: LoginView): Promise<void> {
    const t = ctx.state.t as Translate;
    const { challenge } = view;
    const now = Math.floor(Date.now() / 1000);
    const usable = (challenge.state === 'pending' || challenge.state === 'signed') && challenge.expiresAt > now;
    const walletUrl = this.walletUrl(challenge.id);
    await this.options.views.render(ctx, 'login', {
      title: t('login.title'),
      scripts: ['login.js'],
      uid: view.uid,
      client: view.client,
      challenge,
      usable,
      command: this.command(challenge.text),
      walletUrl,
      qrSvg: usable ? await this.qrSvg(challenge.id) : '',
      expiresAt: new Date(challenge.expiresAt * 1000).toISOString().slice(11, 16),
      addressStart: this.options.network.name === 'mainnet' ? 'E' : 'm or n',
      error: view.error,
      values: view.values ?? {},
      expectedAddress: view.expectedAddress,
    });
  }

  async renderWallet(ctx: Context, view: WalletView): Promise<void> {
    const t = ctx.state.t as Translate;
    const usable = view.challenge.state === 'pending' && view.challenge.expiresAt > Math.floor(Date.now() / 1000);
    await this.options.views.render(ctx, 'wallet', {
      title: t('wallet.title', { client: view.client.name }),
      scripts: ['login.js'],
      client: view.client,
      challenge: view.challenge,
      host: this.options.issuer.host,
      command: this.command(view.challenge.text),
      walletUrl: this.walletUrl(view.challenge.id),
      signed: view.signed ?? false,
      usable,
      addressStart: this.options.network.name === 'mainnet' ? 'E' : 'm or n',
      error: view.error ?? (usable || view.signed ? undefined : t('wallet.unusable')),
      values: view.values ?? {},
    });
  }
}
