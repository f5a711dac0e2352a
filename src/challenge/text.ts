/**
 * The text a wallet signs (DESIGN §4 items 2-3). One line of characters that are safe inside
 * double quotes in a POSIX shell (no quote, $, backtick, backslash or !), so that
 * `evrmore-cli signmessage ADDRESS "TEXT"` can be pasted exactly as the page shows it.
 * It names the issuer's host and the client, so a person shown someone else's QR code
 * (QR-jacking) sees that the text is not for the site in front of them.
 */
import { randomBytes } from 'node:crypto';

export interface ChallengeTextInput {
  issuerHost: string;
  clientName: string;
  clientId: string;
  nonce: string;
  expiresAt: number;
}

/** Characters we keep from a client's display name; everything else is dropped. */
const UNSAFE = /[^\p{L}\p{N} .,:;()@+&/_-]/gu;

export function shellSafeName(name: string, fallback: string): string {
  const cleaned = name.replace(UNSAFE, '').replace(/\s+/g, ' ').trim().slice(0, 60);
  return cleaned || fallback;
}

export function challengeText(input: ChallengeTextInput): string {
  const client = shellSafeName(input.clientName, input.clientId);
  const expires = new Date(input.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `Sign in to ${client} at ${input.issuerHost} with Evrmore. Sign only if you started this sign-in yourself. Nonce ${input.nonce} expires ${expires}`;
}

/** True when the text may be pasted between double quotes in a shell and is one line. */
export function isShellSafe(text: string): boolean {
  return !/["'$`\\!\r\n]/.test(text);
}

/** 128 bits from the OS CSPRNG, hex. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Unguessable challenge id for the wallet URL: 192 bits, base64url (32 characters). */
export function newChallengeId(): string {
  return randomBytes(24).toString('base64url');
}

export const CHALLENGE_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
