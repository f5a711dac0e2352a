import { describe, it, expect } from 'vitest';
import { ERRORS, UserError, inWords, type ErrorCode } from '../src/errors.js';
import { en } from '../src/i18n/en.js';
import { de } from '../src/i18n/de.js';

const catalogues: Record<string, Partial<Record<string, string>>> = { en, de };
const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const codes = Object.keys(ERRORS) as ErrorCode[];

describe('error codes', () => {
  it.each(Object.keys(catalogues))('each has its words in the %s catalogue, with exactly the placeholders it declares', (language) => {
    const problems = codes.flatMap((code) => {
      const spec = ERRORS[code] as { key: string; params?: readonly string[] };
      const message = catalogues[language]![spec.key];
      if (message === undefined) return [`${code}: no "${spec.key}"`];
      const declared = [...(spec.params ?? [])].sort();
      return placeholders(message).join() === declared.join()
        ? []
        : [`${code}: "${spec.key}" has {${placeholders(message).join('} {')}}, the code declares {${declared.join('} {')}}`];
    });
    expect(problems).toEqual([]);
  });

  it('each has a client or server error status', () => {
    for (const code of codes) expect(ERRORS[code].status, code).toBeGreaterThanOrEqual(400);
  });

  it("says the same refusal in the reader's language, with the same code and status", () => {
    const error = new UserError('field_too_long', { field: 'address', max: 128 });
    expect(error).toMatchObject({ code: 'field_too_long', publicCode: 'invalid_request', status: 400 });
    expect(error.message).toBe('The field "address" is too long (at most 128 characters).');
    expect(error.describe('en')).toBe(error.message);
    expect(error.describe('de-CH')).toBe('Das Feld „address“ ist zu lang (höchstens 128 Zeichen).');
    expect(error.describe('xx')).toBe(error.message);
  });

  it('writes a wait in words of the language, and adds a further sentence', () => {
    expect([1, 30, 90, 5400].map((s) => inWords(s))).toEqual(['1 second', '30 seconds', '2 minutes', '2 hours']);
    expect([1, 30, 90].map((s) => inWords(s, 'de'))).toEqual(['1 Sekunde', '30 Sekunden', '2 Minuten']);
    const locked = new UserError('locked_out', { wait: { seconds: 30 }, at: '10:00:30 UTC' }, { retryAfterSeconds: 30 });
    expect(locked.message).toBe('Too many failed sign-ins from your network. Try again in 30 seconds (at 10:00:30 UTC).');
    expect(locked.describe('de')).toBe(
      'Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk. Versuchen Sie es in 30 Sekunden erneut (um 10:00:30 UTC).',
    );
    const wrong = new UserError('signature_mismatch', {}, { followedBy: { key: 'error.triesLeft.other', params: { left: 2 } } });
    expect(wrong.message).toBe('The signature does not match this address and message. (2 tries left for this text)');
    expect(wrong.describe('de')).toBe('Die Signatur passt nicht zu dieser Adresse und diesem Text. (noch 2 Versuche für diesen Text)');
  });
});
