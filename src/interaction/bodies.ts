/**
 * The bodies the sign-in routes take (routes.ts, wallet-routes.ts), each attached to its route
 * with guard(): only these fields, each a single string of bounded length; absent is "".
 */
import { z } from 'zod';
import { CHALLENGE_ID_PATTERN } from '../challenge/text.js';
import { pathId, textField } from '../http/guard.js';

export const INTERACTION_UID_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

/** /interaction/:uid/…: the interaction's id, for every route under it. */
export const interactionParams = { uid: pathId(INTERACTION_UID_PATTERN, 'interaction_id_malformed') };

/** /w/:id: the challenge's id, which the QR code holds. */
export const walletParams = { id: pathId(CHALLENGE_ID_PATTERN, 'challenge_id_malformed') };

/** The same-device form of the login page. */
export const loginBody = z.strictObject({ address: textField(128), signature: textField(200), challenge_id: textField(64) });

/** The wallet URL: the phone's form, or a wallet app's JSON. */
export const walletBody = z.strictObject({ address: textField(128), signature: textField(200) });

/** Continuing after the phone signed: the address the person confirmed ("Continue as …?"). */
export const continueBody = z.strictObject({ address: textField(128) });

/** Cancel; `reason` says an access rule refused the address (the "denied" page). */
export const abortBody = z.strictObject({ reason: textField(32) });
