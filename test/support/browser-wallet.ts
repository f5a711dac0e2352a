/**
 * A stand-in for an Evrmore browser wallet (Satori GO) in Chromium: the `window.evrmore` provider
 * of docs/wallet-protocol.md ("Browser wallets"), injected before any page script runs, as the
 * extension's content script does. It signs in Node with our own signer and a test key, exactly
 * as the wallet signs (Evrmore Core's signmessage format), and can decline or never answer on
 * command. Errors reach the page as Error objects with the wallet's codes ("user-rejected",
 * "not-connected").
 */
import type { BrowserContext } from 'playwright-core';
import { sign, type TestKey } from './wallet.js';

export type StandInMode =
  /** The person approves both windows. */
  | 'approve'
  /** The person declines the signing window. */
  | 'reject'
  /** The approval window stays open: signMessage never settles. */
  | 'hang'
  /** A faulty or hostile wallet: signs a different text than the one asked for. */
  | 'other-text'
  /** A broken wallet: answers without a signature. */
  | 'no-signature';

export interface StandInWallet {
  key: TestKey;
  mode: StandInMode;
  /** Every text a page asked the wallet to sign, as the wallet received it. */
  readonly signed: string[];
  /** Every method a page called, in order. */
  readonly calls: string[];
}

export interface StandInOptions {
  /** 'late': the provider appears only after the page loaded, announced by evrmore#initialized. */
  appear?: 'at-once' | 'late';
  /** Satori GO says who it is with isEvrNexus; another wallet may give a name. */
  isEvrNexus?: boolean;
  name?: string;
}

type Answer = { result: unknown } | { error: string } | { hang: true };

export function standInWallet(key: TestKey, mode: StandInMode = 'approve'): StandInWallet {
  return { key, mode, signed: [], calls: [] };
}

/** Installs the provider in every page of `context`; `wallet` can be changed between clicks. */
export async function installStandInWallet(context: BrowserContext, wallet: StandInWallet, options: StandInOptions = {}): Promise<void> {
  let connected = false;
  await context.exposeFunction('__standInWallet', (method: string, params: { message?: unknown }): Answer => {
    wallet.calls.push(method);
    if (method === 'connect') {
      connected = true;
      return { result: { address: wallet.key.address } };
    }
    if (method === 'signMessage') {
      if (!connected) return { error: 'not-connected' };
      const message = String(params?.message ?? '');
      wallet.signed.push(message);
      if (wallet.mode === 'reject') return { error: 'user-rejected' };
      if (wallet.mode === 'hang') return { hang: true };
      if (wallet.mode === 'no-signature') return { result: { address: wallet.key.address } };
      const text = wallet.mode === 'other-text' ? `${message} (edited)` : message;
      return { result: { address: wallet.key.address, signature: sign(wallet.key, text) } };
    }
    return { error: `unsupported-method:${method}` };
  });
  await context.addInitScript(
    (opts: { late: boolean; isEvrNexus: boolean; name?: string }) => {
      const call = async (method: string, params: unknown = {}) => {
        // Looked up per call: the binding to Node is the page's, not this script's.
        const bridge = (window as unknown as { __standInWallet: (m: string, p: unknown) => Promise<Answer> }).__standInWallet;
        const answer = await bridge(method, params);
        if ('hang' in answer) return new Promise(() => {});
        if ('error' in answer) throw new Error(answer.error);
        return answer.result;
      };
      const provider: Record<string, unknown> = {
        request: (args: { method: string; params?: unknown }) => call(args.method, args.params),
        connect: () => call('connect'),
        signMessage: (message: string) => call('signMessage', { message }),
      };
      if (opts.isEvrNexus) provider.isEvrNexus = true;
      if (opts.name !== undefined) provider.name = opts.name;
      const install = () => {
        Object.defineProperty(window, 'evrmore', { value: Object.freeze(provider), writable: false, configurable: false });
        window.dispatchEvent(new Event('evrmore#initialized'));
      };
      if (opts.late) window.addEventListener('load', () => setTimeout(install, 300));
      else install();
    },
    { late: options.appear === 'late', isEvrNexus: options.isEvrNexus ?? true, name: options.name },
  );
}
