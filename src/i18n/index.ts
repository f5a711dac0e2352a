import { en, type MessageKey } from './en.js';
import { de } from './de.js';

export type Messages = Record<MessageKey, string>;
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Every catalogue but English may be partial: a missing string falls back to English. */
const catalogues: Record<string, Partial<Messages>> = { en, de };

const translators = new Map<string, Translate>();

/** The catalogue for a language tag (falls back to English), as a `t(key, params)` function. */
export function translator(language = 'en'): Translate {
  const base = language.toLowerCase().split('-')[0] ?? 'en';
  const cached = translators.get(base);
  if (cached) return cached;
  const known = Object.hasOwn(catalogues, base);
  const messages = known ? catalogues[base]! : en;
  const t: Translate = (key, params) => {
    const message = messages[key] ?? en[key];
    // Most strings have no placeholder: a page renders dozens of them.
    if (!params || !message.includes('{')) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
  if (known) translators.set(base, t);
  return t;
}

export const languages = Object.keys(catalogues);

/** The first of the requested languages (ui_locales, OIDC Core §3.1.2.1; then Accept-Language) we have. */
export function pickLanguage(...candidates: Array<string | undefined>): string {
  for (const candidate of candidates.flatMap((c) => (c ?? '').split(/[\s,]+/)).filter(Boolean)) {
    const base = candidate.toLowerCase().split('-')[0]!;
    if (Object.hasOwn(catalogues, base)) return base;
  }
  return 'en';
}
