import { en, type MessageKey } from './en.js';

export type Messages = Record<MessageKey, string>;
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const catalogues: Record<string, Messages> = { en };

/** The catalogue for a language tag (falls back to English), as a `t(key, params)` function. */
export function translator(language = 'en'): Translate {
  const messages = catalogues[language.toLowerCase().split('-')[0] ?? 'en'] ?? en;
  return (key, params = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export const languages = Object.keys(catalogues);
