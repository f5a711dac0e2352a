/**
 * Why an address, message, signature or key was refused. Each code maps to one user-facing
 * situation, and each message is written to be shown
 * to the person signing in as it is. Messages never contain a private key.
 */
export type EvrmoreErrorCode =
  | 'invalid_input'
  | 'invalid_address'
  | 'wrong_network'
  | 'not_signing_address'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'invalid_key';

export class EvrmoreError extends Error {
  readonly code: EvrmoreErrorCode;

  constructor(code: EvrmoreErrorCode, message: string) {
    super(message);
    this.name = 'EvrmoreError';
    this.code = code;
  }
}

export type Failure = { ok: false; error: EvrmoreError };

export function fail(code: EvrmoreErrorCode, message: string): Failure {
  return { ok: false, error: new EvrmoreError(code, message) };
}
