/**
 * Why an address, message, signature or key was refused. Each code maps to one user-facing
 * situation, and each message is written to be shown
 * to the person signing in as it is. Messages never contain a private key. `reason` names the
 * exact refusal and `values` its figures, so a product can say it in another language.
 */
export type EvrmoreErrorCode =
  | 'invalid_input'
  | 'invalid_address'
  | 'wrong_network'
  | 'not_signing_address'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'invalid_key';

export type EvrmoreRefusal =
  | 'address_not_text'
  | 'address_empty'
  | 'address_too_long'
  | 'address_alphabet'
  | 'address_checksum'
  | 'address_length'
  | 'address_unknown'
  | 'address_script'
  | 'address_network'
  | 'message_invalid'
  | 'signature_not_text'
  | 'signature_empty'
  | 'signature_base64'
  | 'signature_length'
  | 'signature_header'
  | 'signature_range'
  | 'signature_mismatch'
  | 'invalid_key';

export class EvrmoreError extends Error {
  readonly code: EvrmoreErrorCode;

  constructor(
    code: EvrmoreErrorCode,
    message: string,
    readonly reason: EvrmoreRefusal = code === 'invalid_key' ? 'invalid_key' : 'address_unknown',
    readonly values: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'EvrmoreError';
    this.code = code;
  }
}

export type Failure = { ok: false; error: EvrmoreError };

export function fail(
  code: EvrmoreErrorCode,
  reason: EvrmoreRefusal,
  message: string,
  values: Record<string, string | number> = {},
): Failure {
  return { ok: false, error: new EvrmoreError(code, message, reason, values) };
}
