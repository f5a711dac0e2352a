/**
 * The text a wallet signs (docs/wallet-protocol.md). One line of characters that are safe inside
 * double quotes in a POSIX shell (no quote, $, backtick, backslash or !), so that
 * `evrmore-cli signmessage ADDRESS "TEXT"` can be pasted exactly as the page shows it.
 *
 * Its structure cannot be bent by a client's name: it starts with the provider's host, then the
 * client's name between « and » (which the name can never contain), then, for a client that
 * registered itself, the registrable domain it sends the person to, in parentheses:
 *
 *   id.example.com: sign in to «Grafana» with Evrmore. Sign only if ...
 *   id.example.com: sign in to «Test RP» (evil.example) with Evrmore. Sign only if ...
 *
 * So a person shown someone else's QR code (QR-jacking), or a name that reads like another
 * site, sees whom the text is really for. Control and bidirectional-formatting characters are
 * dropped with everything else outside the kept set.
 */
import { randomText } from './random-text.js';

export interface ChallengeTextInput {
  issuerHost: string;
  clientName: string;
  clientId: string;
  /** A registered client's redirect host (registrable domain); absent for configured clients. */
  clientHost?: string;
  nonce: string;
  expiresAt: number;
}

/**
 * Characters we keep from a client's display name; everything else (quotes of any kind, « and »,
 * control, format and bidi characters, symbols) is dropped.
 */
const UNSAFE = /[^\p{L}\p{M}\p{N} .,:;()@+&/_-]/gu;

export function shellSafeName(name: string, fallback: string): string {
  const cleaned = name.replace(UNSAFE, '').replace(/\s+/g, ' ').trim().slice(0, 60);
  return cleaned || fallback;
}

export function challengeText(input: ChallengeTextInput): string {
  const client = shellSafeName(input.clientName, shellSafeName(input.clientId, 'unnamed application'));
  const host = input.clientHost ? ` (${shellSafeName(input.clientHost, 'unverified')})` : '';
  const expires = new Date(input.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${input.issuerHost}: sign in to «${client}»${host} with Evrmore. Sign only if you started this sign-in yourself. Nonce ${input.nonce} expires ${expires}`;
}

/** True when the text may be pasted between double quotes in a shell and is one line. */
export function isShellSafe(text: string): boolean {
  return !/["'$`\\!\r\n]/.test(text);
}

/** 128 bits from the OS CSPRNG, hex. */
export function newNonce(): string {
  return randomText(16, 'hex');
}

/** Unguessable challenge id for the wallet URL: 192 bits, base64url (32 characters). */
export function newChallengeId(): string {
  return randomText(24, 'base64url');
}

export const CHALLENGE_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
