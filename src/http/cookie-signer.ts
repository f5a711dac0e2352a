/**
 * Signs and checks the `.sig` companions of signed cookies (oidc-provider's interaction, resume
 * and session cookies; the account page's and demo's own), as Koa's `app.keys` and
 * oidc-provider's `cookies.keys` accept in place of a key list: the Keygrip interface, with
 * Keygrip's signatures (HMAC-SHA1 of `name=value`, base64url without padding), so cookies signed
 * by either verify with the other and an upgrade signs nobody out.
 *
 * Why not Keygrip itself: `cookies` builds a new Keygrip for every request, and Keygrip compares
 * through tsscmp's double HMAC with a fresh random key, three HMACs and a random draw for each
 * signed cookie read (about 4% of a sign-in's CPU). `crypto.timingSafeEqual` compares in
 * constant time as well; only the digest's length, which is public, decides early.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  /** Index of the key that signed `data` (0 is the current one), or -1. */
  index(data: string, digest: string): number;
}

const hmac = (key: KeyObject, data: string) => createHmac('sha1', key).update(data).digest();

/**
 * Cookies whose signature was made or checked lately. A sign-in reads the same few cookies
 * again and again (15 signatures made or checked a sign-in, 6 of them different), and a
 * signature of the same data with the same key never changes. Only signatures that were made
 * here or checked good enter, so nobody can fill it with data of their own; long data is not
 * kept; the oldest entry leaves when it is full.
 */
const RECENT_ENTRIES = 4096;
const RECENT_DATA_LENGTH = 256;

interface Known {
  /** The key that signs `data` with this signature (base64url). */
  index: number;
  text: string;
}

/** Compares in time that depends on the lengths only (public: a digest's length is fixed). */
function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `keys[0]` signs; every key verifies, so a rotated-out key keeps cookies valid until they go. */
export function createCookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('at least one cookie key is needed');
  // Key objects made once: a string key is converted and type-checked on every HMAC.
  const list = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  const recent = new Map<string, Known>();
  const remember = (data: string, known: Known): Known => {
    if (data.length > RECENT_DATA_LENGTH) return known;
    if (recent.size >= RECENT_ENTRIES) recent.delete(recent.keys().next().value!);
    recent.set(data, known);
    return known;
  };
  const index = (data: string, digest: string): number => {
    const text = String(data);
    const known = recent.get(text);
    // The remembered signature's text is canonical, so the same text is the same signature.
    if (known && equalText(known.text, String(digest))) return known.index;
    const given = Buffer.from(String(digest), 'base64url');
    // Not the canonical encoding of a digest (padding, stray characters): not ours.
    if (given.toString('base64url') !== digest) return -1;
    for (let i = 0; i < list.length; i++) {
      const expected = hmac(list[i]!, text);
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        remember(text, { index: i, text: digest });
        return i;
      }
    }
    return -1;
  };
  const sign = (data: string): string => {
    const text = String(data);
    const known = recent.get(text);
    if (known?.index === 0) return known.text;
    return remember(text, { index: 0, text: hmac(list[0]!, text).toString('base64url') }).text;
  };
  return {
    sign,
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
