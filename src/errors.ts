/**
 * Every refusal the product gives a person or a client, as a closed set of codes. Each code has
 * its HTTP status, the `error` its JSON answer carries (RFC 6749 §5.2 shape; several codes may
 * share one, such as invalid_request) and the catalogue key of the words a person reads
 * (src/i18n/). Code anywhere throws `new UserError(code, params)`; src/http/errors.ts alone
 * turns it into a response, in the request's language. test/errors.test.ts keeps
 * every code translated in every catalogue with the placeholders declared here.
 */
import type { MessageKey } from './i18n/en.js';
import { translator } from './i18n/index.js';

interface ErrorSpec {
  status: number;
  key: MessageKey;
  /** The `error` of the JSON answer and the audit log's reason; the code itself if absent. */
  error?: string;
  /** The {placeholders} of the message, which the thrower must fill. */
  params?: readonly string[];
}

const challenge = (status: number, key: MessageKey) => ({ status, key });
const invalidRequest = <const P extends readonly string[]>(key: MessageKey, params: P) => ({
  status: 400,
  key,
  error: 'invalid_request',
  params,
});
const tooMany = (key: MessageKey, error = 'rate_limited') => ({ status: 429, key, error, params: ['wait', 'at'] as const });
const signatureRefusal = <const P extends readonly string[]>(error: string, key: MessageKey, params: P) => ({
  status: 400,
  key,
  error,
  params,
});

export const ERRORS = {
  // The challenge a signature answers (docs/wallet-protocol.md), by its state.
  challenge_missing: challenge(404, 'error.challenge.missing'),
  challenge_expired: challenge(410, 'error.challenge.expired'),
  challenge_dead: challenge(410, 'error.challenge.dead'),
  challenge_redeemed: challenge(409, 'error.challenge.redeemed'),
  challenge_signed: challenge(409, 'error.challenge.signed'),
  challenge_not_signed: challenge(409, 'error.challenge.notSigned'),
  challenge_address_mismatch: challenge(409, 'error.challenge.addressMismatch'),
  challenge_replaced: challenge(410, 'error.challenge.replaced'),
  challenge_mismatch: challenge(400, 'error.challenge.mismatch'),
  // Why an address or signature was refused (src/evrmore/errors.ts names each reason).
  address_not_text: signatureRefusal('invalid_input', 'error.address.notText', []),
  address_empty: signatureRefusal('invalid_input', 'error.address.empty', []),
  address_too_long: signatureRefusal('invalid_input', 'error.address.tooLong', ['length']),
  address_alphabet: signatureRefusal('invalid_address', 'error.address.alphabet', []),
  address_checksum: signatureRefusal('invalid_address', 'error.address.checksum', []),
  address_length: signatureRefusal('invalid_address', 'error.address.length', []),
  address_unknown: signatureRefusal('invalid_address', 'error.address.unknown', []),
  address_script: signatureRefusal('not_signing_address', 'error.address.script', ['letters']),
  address_network: signatureRefusal('wrong_network', 'error.address.network', ['found', 'expected', 'letters']),
  message_invalid: signatureRefusal('invalid_input', 'error.message.invalid', []),
  signature_not_text: signatureRefusal('invalid_input', 'error.signature.notText', []),
  signature_empty: signatureRefusal('malformed_signature', 'error.signature.empty', []),
  signature_base64: signatureRefusal('malformed_signature', 'error.signature.base64', []),
  signature_length: signatureRefusal('malformed_signature', 'error.signature.length', ['bytes']),
  signature_header: signatureRefusal('malformed_signature', 'error.signature.header', ['header']),
  signature_range: signatureRefusal('malformed_signature', 'error.signature.range', []),
  signature_mismatch: signatureRefusal('signature_mismatch', 'error.signature.mismatch', []),
  signature_fields_missing: invalidRequest('error.signature.fieldsMissing', []),
  login_hint_mismatch: { status: 400, key: 'error.loginHintMismatch', params: ['address'] },
  // The sign-in's interaction (oidc-provider) and its steps.
  interaction_mismatch: { status: 400, key: 'error.interaction.mismatch' },
  wrong_step: { status: 400, key: 'error.interaction.wrongStep' },
  unknown_prompt: { status: 400, key: 'error.interaction.unknownPrompt', params: ['prompt'] },
  no_session: { status: 400, key: 'error.interaction.noSession' },
  session_not_found: { status: 400, key: 'error.session' },
  unknown_client: { status: 400, key: 'error.oidc.invalid_client' },
  device_form_expired: { status: 400, key: 'error.deviceFormExpired', params: ['url'] },
  // Requests whose form does not fit (SECURITY.md, "Validate input": type and length at the edge).
  body_too_large: { status: 413, key: 'error.body.tooLarge', error: 'request_too_large', params: ['kib'] },
  body_type: { status: 415, key: 'error.body.type', error: 'unsupported_media_type' },
  body_unreadable: invalidRequest('error.body.unreadable', []),
  body_not_object: invalidRequest('error.body.notObject', []),
  field_not_text: invalidRequest('error.field.notText', ['field']),
  field_too_long: invalidRequest('error.field.tooLong', ['field', 'max']),
  fields_unknown: invalidRequest('error.field.unknown', ['fields']),
  field_missing: invalidRequest('error.field.missing', ['field']),
  interaction_id_malformed: invalidRequest('error.path.interactionId', []),
  challenge_id_malformed: invalidRequest('error.path.challengeId', []),
  parameter_too_long: invalidRequest('error.parameter.tooLong', ['name', 'max']),
  pushed_request_length_required: { status: 411, key: 'error.pushedRequest.lengthRequired', error: 'length_required' },
  pushed_request_too_large: { status: 413, key: 'error.pushedRequest.tooLarge', error: 'request_too_large', params: ['kib'] },
  https_required: { status: 403, key: 'error.httpsRequired', params: ['origin'] },
  origin_not_allowed: { status: 403, key: 'error.originNotAllowed', params: ['origin'] },
  // Limits (RFC 6585 §4): {wait} is written in words of the page's language, {at} is a UTC time.
  locked_out: tooMany('error.limit.lockedOut', 'locked_out'),
  rate_limited_challenge: tooMany('error.limit.challenge'),
  rate_limited_signin: tooMany('error.limit.signin'),
  rate_limited_token: tooMany('error.limit.token'),
  rate_limited_registration: tooMany('error.limit.registration'),
  rate_limited_authorization: tooMany('error.limit.authorization'),
  rate_limited_status: tooMany('error.limit.status'),
  rate_limited_user_codes: tooMany('error.limit.userCodes'),
  rate_limited_streams: tooMany('error.limit.streams'),
  // The account page.
  account_signed_out: { status: 401, key: 'account.error.signedOut' },
  account_form_expired: { status: 403, key: 'account.error.form' },
  grant_not_found: { status: 404, key: 'account.error.noGrant' },
  // The demo relying party.
  demo_flow_missing: { status: 400, key: 'error.demo.flowMissing' },
  demo_exchange_failed: { status: 400, key: 'error.demo.exchangeFailed', params: ['reason'] },
  // Ours, not the person's.
  not_found: { status: 404, key: 'error.notFound' },
  temporarily_unavailable: { status: 503, key: 'error.storeUnavailable' },
  server_error: { status: 500, key: 'error.server' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

type ParamNames<C extends ErrorCode> = (typeof ERRORS)[C] extends { params: infer L extends readonly string[] } ? L[number] : never;

/** A duration, written in words of the reader's language ("5 minutes", "5 Minuten"). */
export interface Wait {
  seconds: number;
}

export type ErrorParam = string | number | Wait;
export type ErrorParams<C extends ErrorCode> = [ParamNames<C>] extends [never] ? Record<string, never> : Record<ParamNames<C>, ErrorParam>;

/** A further sentence after the message (such as how many tries are left). */
export interface Sentence {
  key: MessageKey;
  params?: Record<string, ErrorParam>;
}

export interface UserErrorOptions {
  /** Retry-After (RFC 9110 §10.2.3) in seconds. */
  retryAfterSeconds?: number;
  /** A sentence said after the error's own (how many tries are left). */
  followedBy?: Sentence;
}

type Args<C extends ErrorCode> = [ParamNames<C>] extends [never]
  ? [params?: ErrorParams<C>, options?: UserErrorOptions]
  : [params: ErrorParams<C>, options?: UserErrorOptions];

/**
 * An error the person or client caused (or an outage they should wait out), with a stable code.
 * Its `message` is the English text, for logs; `describe(language)` is what a person reads.
 */
export class UserError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  /** The `error` member of the JSON answer (RFC 6749 §5.2) and the audit log's reason. */
  readonly publicCode: string;
  readonly params: Record<string, ErrorParam>;
  readonly retryAfterSeconds?: number;
  readonly followedBy?: Sentence;

  constructor(code: C, ...[params, options]: Args<C>) {
    const spec: ErrorSpec = ERRORS[code];
    const filled = (params ?? {}) as Record<string, ErrorParam>;
    super(describe(spec.key, filled, options?.followedBy, 'en'));
    this.name = 'UserError';
    this.code = code;
    this.status = spec.status;
    this.publicCode = spec.error ?? code;
    this.params = filled;
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options?.followedBy) this.followedBy = options.followedBy;
  }

  /** For a code chosen at run time, whose placeholders the compiler cannot check. */
  static of(code: ErrorCode, params: Record<string, ErrorParam> = {}, options?: UserErrorOptions): UserError {
    return new (UserError as new (code: ErrorCode, params: object, options?: UserErrorOptions) => UserError)(code, params, options);
  }

  /** The words for a person, in `language` (a catalogue's tag; English when we have none). */
  describe(language: string): string {
    return describe(ERRORS[this.code].key, this.params, this.followedBy, language);
  }
}

function describe(key: MessageKey, params: Record<string, ErrorParam>, followedBy: Sentence | undefined, language: string): string {
  const t = translator(language);
  const text = t(key, written(params, language));
  return followedBy ? `${text} ${t(followedBy.key, written(followedBy.params ?? {}, language))}` : text;
}

function written(params: Record<string, ErrorParam>, language: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) out[name] = typeof value === 'object' ? inWords(value.seconds, language) : value;
  return out;
}

/** Seconds below 90, then minutes below 90, then hours, rounded up; in the language's words. */
export function inWords(seconds: number, language = 'en'): string {
  const [amount, unit] =
    seconds < 90
      ? [seconds, 'second']
      : Math.ceil(seconds / 60) < 90
        ? [Math.ceil(seconds / 60), 'minute']
        : [Math.ceil(seconds / 3600), 'hour'];
  return new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'long' }).format(amount);
}
