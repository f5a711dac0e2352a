import { describe, it, expect } from 'vitest';
import { pickLanguage, translator } from '../../src/i18n/index.js';
import { en } from '../../src/i18n/en.js';
import { de } from '../../src/i18n/de.js';

describe('i18n', () => {
  it('picks the first requested language it has, ignoring names of object properties', () => {
    expect(pickLanguage('constructor toString', 'de-CH, en;q=0.5')).toBe('de');
    expect(pickLanguage(undefined, 'fr, EN-gb')).toBe('en');
    expect(pickLanguage('__proto__')).toBe('en');
  });

  it('fills placeholders, leaves unknown ones, and falls back to English for an unknown language', () => {
    const t = translator('de-DE');
    expect(t('login.asking', { client: 'Grafana' })).toBe(de['login.asking']!.replace('{client}', 'Grafana'));
    expect(t('login.asking')).toBe(de['login.asking']);
    expect(translator('xx')('login.title')).toBe(en['login.title']);
    expect(translator('constructor')('login.title')).toBe(en['login.title']);
    expect(translator('de')).toBe(t);
  });
});

describe('the German catalogue', () => {
  const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('translates every English string, so a German page does not fall back to English mid-sentence', () => {
    const missing = Object.keys(en).filter((key) => !Object.hasOwn(de, key));
    expect(missing).toEqual([]);
  });

  it('has no string the English catalogue does not know', () => {
    const unknown = Object.keys(de).filter((key) => !Object.hasOwn(en, key));
    expect(unknown).toEqual([]);
  });

  it('keeps the placeholders of every English string, no more and no fewer', () => {
    const differing = Object.entries(de)
      .filter(([key, message]) => placeholders(message!).join() !== placeholders(en[key as keyof typeof en]).join())
      .map(([key, message]) => ({ key, de: placeholders(message!), en: placeholders(en[key as keyof typeof en]) }));
    expect(differing).toEqual([]);
  });
});
